package io.longseq.bench;

import io.longseq.math.memory.BlockMemory;
import io.longseq.math.memory.GlobalTier;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.WeightsInit;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The global-context operator's work for one chunk, single-threaded, as the streaming job does it per chunk:
 * {@link GlobalTier#stepBlocks} over the chunk's 8 blocks (C = 2048, B = 256, d = 128, default weights), then the
 * state bytes rewritten ({@link BlockMemory#toBytes(byte[])}, in place where the mode can). What a mode costs the job
 * beyond the local tier, without the job's noise: `bench/modes-cpu` measures whole runs.
 *
 * <p>{@code mode}: {@code HIERARCHICAL} or {@code RETRIEVAL} (the defaults: 2^4 buckets × 48 slots of whole
 * exemplars, 40,960 sketches, 32 candidates a block). Before measuring, enough chunks go through that RETRIEVAL's
 * store and sketch ring are full and evict (5,316 chunks, 42,528 blocks), as in any run past ~10.5 Mbp. Summaries: Gaussian rows, a pool of 64 chunks, one float of each chunk perturbed so no two
 * chunks repeat. Run through {@code bench/run global-chunk}; the score is µs per chunk.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 3, jvmArgsAppend = {"-Xmx2g", "--add-modules=jdk.incubator.vector"})
@Threads(1)
public class GlobalChunkBenchmark {

    private static final int CHUNKS = 64;    // the pool of summaries

    @Param({"HIERARCHICAL", "RETRIEVAL"})
    String mode;

    private GlobalTier tier;
    private BlockMemory memory;
    private int nb;
    private int d;
    private int blockSize;
    private float[][] pool;                  // [CHUNKS][nb·d] summaries s of a chunk's blocks
    private long[] starts;
    private long[] ends;
    private byte[] state;                    // the state bytes, rewritten per chunk
    private long chunk;

    @Setup(Level.Trial)
    public void setUp() {
        ModelConfig cfg = ModelConfig.builder().globalMode(GlobalMode.valueOf(mode)).build();
        d = cfg.dModel();
        blockSize = cfg.blockSize();
        nb = cfg.chunkSize() / blockSize;
        tier = new GlobalTier(cfg, WeightsInit.defaults(cfg, 7));
        memory = BlockMemory.create(cfg);
        Random r = new Random(3);
        pool = new float[CHUNKS][nb * d];
        for (float[] p : pool) {
            for (int i = 0; i < p.length; i++) {
                p[i] = (float) r.nextGaussian();
            }
        }
        starts = new long[nb];
        ends = new long[nb];
        long fill = ((long) cfg.retrievalSlots() << cfg.retrievalBits()) + cfg.retrievalSketches();
        for (long c = 0; c < Math.max(600, fill / nb + 100); c++) {
            chunk();
        }
    }

    @Benchmark
    public BlockResult[] chunk() {
        long b = memory.nextBlock();
        for (int i = 0; i < nb; i++) {
            starts[i] = (b + i) * blockSize;
            ends[i] = starts[i] + blockSize;
        }
        float[] s = pool[(int) (chunk % CHUNKS)];
        s[(int) (chunk % s.length)] += 1e-3f;
        chunk++;
        BlockResult[] out = tier.stepBlocks(memory, s, null, nb, starts, ends);
        state = memory.toBytes(state);
        return out;
    }
}
