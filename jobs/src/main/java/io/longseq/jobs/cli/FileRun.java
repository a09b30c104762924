package io.longseq.jobs.cli;

import io.longseq.jobs.LongseqJob;
import io.longseq.jobs.LongseqOptions;
import io.longseq.jobs.Refusals;
import io.longseq.jobs.cluster.EmbeddedCluster;
import io.longseq.jobs.cluster.NativePreload;
import io.longseq.jobs.cluster.RemoteSubmit;
import io.longseq.jobs.input.InputScan;
import io.longseq.jobs.output.ProgressFunction;
import io.longseq.jobs.output.OutputSettings;
import io.longseq.jobs.output.RunOutputs;
import io.longseq.jobs.output.SettingsFile;
import io.longseq.stream.DeadLetter;
import io.longseq.stream.StartupTrace;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A {@code run} over files: the job writes per-subtask part files, which are then merged into OUT/blocks.jsonl (in
 * {@code offline}'s order), notices.jsonl and dead-letters.jsonl, settings.json ({@link #SETTINGS}) is written and
 * the summary is printed. Exit code 0 done; 1 some input was refused or the job failed.
 */
record FileRun(RunOptions p, PrintWriter out, PrintWriter err, boolean verbose) {

    /**
     * What OUT/settings.json holds: every option that shapes the outputs, in the option table's order, with the
     * parallelism after the fragment size; not the input paths, the output directory or the warm-up (same outputs).
     */
    static final List<ConfigOption<?>> SETTINGS = settings();

    int call() {
        long t0 = System.nanoTime();
        String runId = UUID.randomUUID().toString();
        Path parts = p.out().toAbsolutePath().resolve(".parts-" + runId); // absolute: the sinks may run elsewhere
        CompletableFuture<InputScan> scan = CompletableFuture.supplyAsync(
                () -> InputScan.of(p.inputs(), p.kind(), p.settings().limits()));
        StreamExecutionEnvironment env = RemoteSubmit.forRun(p.flink());
        int parallelism = env.getParallelism();
        StartupTrace.mark("environment");
        if (env instanceof LocalStreamEnvironment) {
            NativePreload.start(); // ND4J loads beside the embedded cluster's start, not after it
        }
        err.println("longseq run: " + p.inputs().size() + " file(s) (" + LongseqOptions.lower(p.kind())
                + "), parallelism " + env.getParallelism() + ", fragment size " + p.fragmentSize()
                + ", output " + p.out());
        for (DeadLetter d : p.unusable()) {
            err.println("longseq run: not read: " + d.reason);
        }
        EmbeddedCluster.addresses(p.flink()).forEach(a -> err.println("longseq run: " + a));
        err.flush();
        JobClient client;
        try {
            Files.createDirectories(p.out());
            LongseqJob.Outputs o = LongseqJob.build(
                    LongseqJob.fromFiles(env, p.inputs(), p.settings(), p.fragmentSize()), p.settings());
            LongseqJob.toFiles(o, parts, p.settings(), runId);
            StartupTrace.mark("planned");
            client = env.executeAsync("longseq run " + p.inputs().get(0).getFileName());
            StartupTrace.mark("cluster-up-submitted");
        } catch (Exception e) {
            Refusals.print(err, "longseq run: the job could not start: " + Refusals.describeWithCause(e), e,
                    verbose);
            return 1;
        }
        JobWatch job = new JobWatch(err);
        String failure = job.await(client, runId, scan, t0);
        ProgressFunction.forget(runId);
        if (failure != null) {
            Refusals.print(err, "longseq run: the job failed: " + failure, job.failure(), verbose);
            return 1;
        }
        RunOutputs merged = new RunOutputs(new OutputSettings(p.kind(), p.settings().model().globalMode(),
                LongseqOptions.linkThreshold(p.flink()), p.settings().alertThreshold()));
        InputScan s = scan.join();
        try {
            merged.merge(parts, p.out(), s.ids(), p.unusable());
        } catch (IOException e) {
            Refusals.print(err, "longseq run: could not merge the outputs in " + parts + ": " + e, e, verbose);
            return 1;
        }
        try {
            SettingsFile.write(p.out(), settingsOf(p, parallelism), SETTINGS);
            StartupTrace.mark("outputs-written");
        } catch (IOException e) {
            Refusals.print(err, "longseq run: could not write " + p.out().resolve(SettingsFile.FILE) + ": " + e, e,
                    verbose);
            return 1;
        }
        RunSummary.files(out, merged, p.out(), p.settings().alerts(), (System.nanoTime() - t0) / 1e9, parallelism, job);
        return merged.deadLetters > 0 ? 1 : 0;
    }

    /** The run's effective options: the flags, the defaults, the kind and the parallelism it ran with. */
    static Configuration settingsOf(RunOptions p, int parallelism) {
        Configuration c = LongseqOptions.effective(p.flink(), p.settings().model());
        c.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        return c;
    }

    private static List<ConfigOption<?>> settings() {
        Set<ConfigOption<?>> left = Set.of(LongseqOptions.INPUT, LongseqOptions.OUT, LongseqOptions.WARMUP_CHUNKS);
        List<ConfigOption<?>> s = new ArrayList<>();
        for (ConfigOption<?> o : LongseqOptions.ALL) {
            if (!left.contains(o)) {
                s.add(o);
            }
            if (o == LongseqOptions.FRAGMENT_SIZE) {
                s.add(CoreOptions.DEFAULT_PARALLELISM);
            }
        }
        return List.copyOf(s);
    }
}
