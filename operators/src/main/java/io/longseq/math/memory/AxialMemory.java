package io.longseq.math.memory;

import io.longseq.math.model.GlobalMode;
import io.longseq.math.model.ModelConfig;
import java.util.Arrays;

/**
 * AXIAL mode: blocks on a grid of P = C/B columns, row r = chunk index, column j = block index inside the chunk
 * ({@link GlobalMode#AXIAL}). Block b = (r, j) sees the blocks (r, 0..j) of its own row, each an entry, and, when
 * r &gt; 0, one column entry: the mean of k and v over (0, j) .. (r−1, j) with c = r.
 *
 * <p>State: the current row's keys and values [P, d] (floats, as they came) and per-column sums of k and v over
 * all completed rows [P, d] (doubles: they run over an unbounded number of rows, like the hierarchical prefix).
 * A row is folded into the column sums when the first block of the next row arrives, so while row r is open the
 * sums cover exactly rows 0..r−1. O(P·d) for any n.
 *
 * <p>{@link MemoryState} layout: counts = {P}, firsts empty, keys/values = the open row [P, d] (slots past its
 * last block zero), prefixKeySum/prefixValueSum = column sums [P, d], prefixCount = rows folded into them.
 */
public final class AxialMemory extends BlockMemory {

    private final int p;               // P = C/B, columns
    private final float[] rowKeys;     // [P, d] blocks (r, 0..j) of the open row r
    private final float[] rowValues;   // [P, d]
    private final double[] colKeys;    // [P, d] Σ_{r' < r} k_(r', j)
    private final double[] colValues;  // [P, d] Σ_{r' < r} v_(r', j)
    private long rows;                 // r: rows folded into the column sums

    AxialMemory(ModelConfig cfg) {
        super(cfg.dModel());
        p = cfg.blocksPerChunk();
        rowKeys = new float[p * d];
        rowValues = new float[p * d];
        colKeys = new double[p * d];
        colValues = new double[p * d];
    }

    // k_b [d], v_b [d] -> slot j of the open row (after folding the previous row when b starts a new one)
    @Override
    protected void add(float[] k, float[] v) {
        int j = (int) (nextBlock % p);
        if (j == 0 && nextBlock > 0) {
            for (int i = 0; i < p * d; i++) {
                colKeys[i] += rowKeys[i];
                colValues[i] += rowValues[i];
            }
            Arrays.fill(rowKeys, 0f);
            Arrays.fill(rowValues, 0f);
            rows++;
        }
        System.arraycopy(k, 0, rowKeys, j * d, d);
        System.arraycopy(v, 0, rowValues, j * d, d);
    }

    /** The column entry of column j (when r &gt; 0), then the row entries (r, 0..j), for b = nextBlock − 1. */
    @Override
    public void collect(MemoryEntries out) {
        out.clear();
        if (nextBlock == 0) {
            return;
        }
        long b = nextBlock - 1;
        int j = (int) (b % p);
        long rowStart = b - j;
        if (rows > 0) {
            out.addMean(colKeys, colValues, j * d, rows, 2, j, (rows - 1) * p + j);
        }
        for (int jj = 0; jj <= j; jj++) {
            out.add(rowKeys, rowValues, jj * d, 1, 1, rowStart + jj, rowStart + jj);
        }
    }

    @Override
    public MemoryState toState() {
        return new MemoryState(nextBlock, new int[] {p}, new long[0], rowKeys.clone(), rowValues.clone(),
                colKeys.clone(), colValues.clone(), rows);
    }

    static AxialMemory restore(ModelConfig cfg, MemoryState s) {
        AxialMemory mem = new AxialMemory(cfg);
        int n = mem.p * mem.d;
        long rows = s.nextBlock() == 0 ? 0 : (s.nextBlock() - 1) / mem.p;
        if (!Arrays.equals(s.counts(), new int[] {mem.p}) || s.firsts().length != 0 || s.keys().length != n
                || s.values().length != n || s.prefixKeySum().length != n || s.prefixValueSum().length != n
                || s.prefixCount() != rows) {
            throw new IllegalArgumentException("axial memory state does not fit the config (C/B = " + mem.p
                    + " blocks per row, d = " + mem.d + "; the state says " + Arrays.toString(s.counts())
                    + "): was it saved with other settings?");
        }
        System.arraycopy(s.keys(), 0, mem.rowKeys, 0, n);
        System.arraycopy(s.values(), 0, mem.rowValues, 0, n);
        System.arraycopy(s.prefixKeySum(), 0, mem.colKeys, 0, n);
        System.arraycopy(s.prefixValueSum(), 0, mem.colValues, 0, n);
        mem.rows = s.prefixCount();
        mem.nextBlock = s.nextBlock();
        return mem;
    }
}
