package io.longseq.jobs.cli;

import io.longseq.jobs.kafka.KafkaSettings;
import io.longseq.jobs.output.RunOutputs;
import io.longseq.jobs.output.GenomeTracks;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/** What a finished {@code run} prints on stdout: counts, rates, where the outputs are, the findings. */
final class RunSummary {

    private RunSummary() {}

    /** A file-mode run: what was merged into {@code out}, the wall and job rates. */
    static void files(PrintWriter out, RunOutputs m, Path dir, boolean alerts, double seconds, int parallelism,
                      JobWatch job) {
        out.printf(Locale.ROOT, "sequences: %,d, %,d positions in %,d blocks%n", m.sequences, m.positions, m.blocks);
        out.printf(Locale.ROOT, "time:      %.2f s wall, %,.0f positions/s (parallelism %d); the job itself %.2f s,"
                        + " %,.0f positions/s%s%n", seconds, m.positions / Math.max(seconds, 1e-9), parallelism,
                job.jobSeconds(), m.positions / Math.max(job.jobSeconds(), 1e-9), job.sustained());
        StringBuilder n = new StringBuilder();
        m.notices.forEach((k, v) -> n.append(n.length() == 0 ? "" : ", ").append(v).append(' ')
                .append(k.toLowerCase(Locale.ROOT).replace('_', ' ')));
        out.println("notices:   " + (n.length() == 0 ? "none" : n) + " (" + dir.resolve("notices.jsonl") + ")");
        out.println("refused:   " + (m.deadLetters == 0 ? "none" : m.deadLetters + " records, see "
                + dir.resolve("dead-letters.jsonl")));
        out.println("output:    " + dir.resolve("blocks.jsonl") + (m.links < 0 ? "" : ", "
                + dir.resolve(GenomeTracks.LINKS) + String.format(Locale.ROOT, " (%,d links), ", m.links)
                + dir.resolve(GenomeTracks.TRACKS)) + (alerts ? ", " + dir.resolve(RunOutputs.ALERTS + ".jsonl") : ""));
        m.findings.print(out, dir.resolve(RunOutputs.ALERTS + ".jsonl").toString());
        out.flush();
    }

    /** A Kafka-mode run that ended: positions done, the rates, the output topics. */
    static void kafka(PrintWriter out, long done, double seconds, int parallelism, JobWatch job, KafkaSettings k) {
        out.printf(Locale.ROOT, "positions: %,d in %.2f s wall, %,.0f positions/s; the job itself %.2f s, %,.0f"
                        + " positions/s (parallelism %d)%s; outputs in topics %s, %s, %s%n", done, seconds,
                done / Math.max(seconds, 1e-9), job.jobSeconds(), done / Math.max(job.jobSeconds(), 1e-9), parallelism,
                job.sustained(), k.blocksTopic(), k.noticesTopic(), k.deadLettersTopic());
        out.flush();
    }
}
