package io.longseq.stream.local;

import java.util.concurrent.Semaphore;

/**
 * Lets one {@code local-attention} subtask per JVM (a TaskManager, or the embedded cluster) run a warm-up chunk at a
 * time.
 *
 * <p>Why: the local tier's kernels use the Vector API, which runs interpreted, at ~1/50 of its compiled speed, until
 * C2 compiles them; a fresh JVM's first chunk takes seconds. With every subtask interpreting at once, the subtasks and
 * the JIT's compiler threads share the cores and the compiled code arrives later. Gated, one subtask runs while the
 * compilers get the other cores, and the others then start on compiled code (docs/benchmarks.md, "Start-up": about
 * 1.5 s less start-up at parallelism 2 on two cores, 8.0–8.6 against 9.2–10.8 s). The outputs are the same: only
 * the order in which subtasks run their first chunks changes.
 *
 * <p>The gate is held only for the duration of one chunk, never between records, so a subtask that gets no more
 * input cannot block the others. Static: it is shared by every subtask that the same class loader (one job on one
 * TaskManager) runs.
 */
public final class WarmupGate {

    private static final Semaphore GATE = new Semaphore(1, true);

    private int left;

    /** A gate for the first {@code chunks} chunks of one subtask (0: never gated). */
    WarmupGate(int chunks) {
        if (chunks < 0) {
            throw new IllegalArgumentException("warm-up chunks must not be negative, got " + chunks);
        }
        this.left = chunks;
    }

    /**
     * Runs {@code chunk}, alone among the gated chunks of this JVM while this subtask is warming up.
     *
     * @throws InterruptedException if the task is cancelled while it waits for the gate
     */
    void run(Runnable chunk) throws InterruptedException {
        if (left == 0) {
            chunk.run();
            return;
        }
        GATE.acquire();
        try {
            chunk.run();
        } finally {
            GATE.release();
            left--;
        }
    }

    /** Chunks of this subtask still to run through the gate. */
    int left() {
        return left;
    }

    /** Whether a subtask waits for the gate now (for tests). */
    static boolean hasWaiters() {
        return GATE.hasQueuedThreads();
    }
}
