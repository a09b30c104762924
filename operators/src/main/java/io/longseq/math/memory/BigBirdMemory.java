package io.longseq.math.memory;

import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * BIGBIRD mode ({@link GlobalMode#BIGBIRD}): block b's entries are the global blocks 0..g−1, r random blocks from a
 * reservoir of P = 4r earlier blocks, and the window b−w..b, each its own entry, oldest first.
 *
 * <p>State, bounded: the global blocks' keys and values [g, d], a ring of the last w+1 blocks [w+1, d], the
 * reservoir [P, d] with its block ids, the number of candidates offered to it, and the sequence seed σ.
 * {@link MemoryState} layout: counts = {w, g, r, P, held}; firsts = {σ, offered, reservoir block ids [P]};
 * keys/values = [g + w + 1 + P, d] (globals, ring, reservoir); no prefix.
 */
public final class BigBirdMemory extends BlockMemory {

    private final int w;
    private final int g;
    private final int r;
    private final int p;               // reservoir slots, 4r
    private final long seed;           // σ
    private final float[] keys;        // [g + w + 1 + P, d] globals, then the ring, then the reservoir
    private final float[] values;      // [g + w + 1 + P, d]
    private final long[] slotBlock;    // [P] block id in each reservoir slot
    private int held;                  // reservoir slots in use
    private long offered;              // candidates offered to the reservoir so far
    private final int[] order;         // [P] scratch: slot indices for the per-block shuffle
    private final long[] picked;       // [r] scratch: chosen slots' block ids

    BigBirdMemory(ModelConfig cfg, long sequenceSeed) {
        super(cfg.dModel());
        w = cfg.bigbirdWindow();
        g = cfg.bigbirdGlobal();
        r = cfg.bigbirdRandom();
        p = 4 * r;
        seed = sequenceSeed;
        keys = new float[(g + w + 1 + p) * d];
        values = new float[(g + w + 1 + p) * d];
        slotBlock = new long[p];
        order = new int[p];
        picked = new long[r];
    }

    /** σ of a sequence: FNV-1a 64 of its id's UTF-8 bytes. */
    public static long sequenceSeed(String sequenceId) {
        long h = 0xcbf29ce484222325L;
        for (byte b : sequenceId.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** H(σ, x, y) = mix(mix(σ ^ mix(x)) ^ y), mix the SplitMix64 finaliser. */
    static long hash(long seed, long x, long y) {
        return mix(mix(seed ^ mix(x)) ^ y);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private int ringRow(long b) {
        return g + (int) (b % (w + 1));
    }

    // k_b [d], v_b [d]: the block leaving the window goes to the reservoir first, then b takes its ring slot
    @Override
    protected void add(float[] k, float[] v) {
        long b = nextBlock;
        long e = b - w - 1;
        if (e >= g && p > 0) {
            offered++;
            int slot = -1;
            if (held < p) {
                slot = held++;
            } else {
                long j = Long.remainderUnsigned(hash(seed, e, 1), offered);
                if (j < p) {
                    slot = (int) j;
                }
            }
            if (slot >= 0) {
                int from = ringRow(e) * d;
                int to = (g + w + 1 + slot) * d;
                System.arraycopy(keys, from, keys, to, d);
                System.arraycopy(values, from, values, to, d);
                slotBlock[slot] = e;
            }
        }
        if (b < g) {
            System.arraycopy(k, 0, keys, (int) b * d, d);
            System.arraycopy(v, 0, values, (int) b * d, d);
        }
        System.arraycopy(k, 0, keys, ringRow(b) * d, d);
        System.arraycopy(v, 0, values, ringRow(b) * d, d);
    }

    /** Globals, the random picks (by block), then the window's blocks that are not global, for b = nextBlock − 1. */
    @Override
    public void collect(MemoryEntries out) {
        out.clear();
        if (nextBlock == 0) {
            return;
        }
        long b = nextBlock - 1;
        for (int j = 0; j < Math.min(g, nextBlock); j++) {
            out.add(keys, values, j * d, 1, 1, j, j);
        }
        int take = Math.min(r, held);
        for (int i = 0; i < held; i++) {
            order[i] = i;
        }
        for (int i = 0; i < take; i++) {
            int j = i + (int) Long.remainderUnsigned(hash(seed, b, i + 2), held - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        // the picked slots in order of their block ids
        for (int i = 0; i < take; i++) {
            picked[i] = slotBlock[order[i]];
        }
        Arrays.sort(picked, 0, take);
        for (int i = 0; i < take; i++) {
            int slot = slotOf(picked[i]);
            out.add(keys, values, (g + w + 1 + slot) * d, 1, 1, picked[i], picked[i]);
        }
        for (long j = Math.max(g, b - w); j <= b; j++) {
            out.add(keys, values, ringRow(j) * d, 1, 1, j, j);
        }
    }

    private int slotOf(long block) {
        for (int s = 0; s < held; s++) {
            if (slotBlock[s] == block) {
                return s;
            }
        }
        throw new IllegalStateException("block " + block + " is not in the reservoir");
    }

    @Override
    public MemoryState toState() {
        long[] firsts = new long[2 + p];
        firsts[0] = seed;
        firsts[1] = offered;
        System.arraycopy(slotBlock, 0, firsts, 2, p);
        return new MemoryState(nextBlock, new int[] {w, g, r, p, held}, firsts, keys.clone(), values.clone(),
                new double[0], new double[0], 0);
    }

    static BigBirdMemory restore(ModelConfig cfg, MemoryState s) {
        BigBirdMemory m = new BigBirdMemory(cfg, s.firsts().length > 0 ? s.firsts()[0] : 0);
        int rows = (m.g + m.w + 1 + m.p) * m.d;
        int[] c = s.counts();
        if (c.length != 5 || c[0] != m.w || c[1] != m.g || c[2] != m.r || c[3] != m.p || c[4] < 0 || c[4] > m.p
                || s.firsts().length != 2 + m.p || s.keys().length != rows || s.values().length != rows) {
            throw new IllegalArgumentException("bigbird memory state does not fit the config (window " + m.w
                    + ", global " + m.g + ", random " + m.r + ", d = " + m.d + "; the state says "
                    + Arrays.toString(c) + "): was it saved with other settings?");
        }
        System.arraycopy(s.keys(), 0, m.keys, 0, rows);
        System.arraycopy(s.values(), 0, m.values, 0, rows);
        System.arraycopy(s.firsts(), 2, m.slotBlock, 0, m.p);
        m.held = c[4];
        m.offered = s.firsts()[1];
        m.nextBlock = s.nextBlock();
        return m;
    }
}
