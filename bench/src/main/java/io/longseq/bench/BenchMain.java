package io.longseq.bench;

/** Placeholder. */
public final class BenchMain {
    public static void main(String[] args) {}
}
