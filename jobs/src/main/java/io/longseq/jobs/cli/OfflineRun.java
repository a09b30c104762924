package io.longseq.jobs.cli;

import io.longseq.jobs.ModelOptions;
import io.longseq.jobs.Refusals;
import io.longseq.jobs.UsageException;
import io.longseq.jobs.input.FastaReader;
import io.longseq.jobs.input.SequenceSource;
import io.longseq.jobs.offline.Engine;
import io.longseq.jobs.output.BlockJsonWriter;
import io.longseq.jobs.output.Findings;
import io.longseq.jobs.output.GenomeTracks;
import io.longseq.jobs.output.JsonLines;
import io.longseq.jobs.output.SettingsFile;
import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.BlockResult;
import io.longseq.math.model.ModelConfig;
import io.longseq.math.weights.Weights;
import io.longseq.math.weights.WeightsInit;
import io.longseq.math.weights.WeightsIo;
import io.longseq.stream.StreamLimits;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;

/**
 * One {@code offline} run: weights, engine, then every record of the input through the engine into
 * {@code blocks.jsonl} (and, for DNA, {@code links.bedpe} and {@code tracks.bedgraph}; with an alert threshold,
 * {@code alerts.jsonl}; at the end {@code settings.json}), with progress and problems on stderr and a short summary on stdout.
 *
 * <p>A bad record (an invalid base, a token outside the vocabulary, a FULL-mode cap passed) is reported with its
 * number, id and reason and skipped; the other records still run and the exit code is 1 at the end. An input that
 * cannot be read, or an output that cannot be written, stops the run with exit code 1; the lines written so far
 * stay in the file.
 */
public final class OfflineRun {

    private final OfflineOptions o;
    private final StreamLimits limits;
    private final PrintWriter out;
    private final PrintWriter err;

    private int records;
    private int skipped;
    private long positions;
    private long blocks;
    private long computeNanos;
    private final Findings findings;
    private long links = -1;

    OfflineRun(OfflineOptions options, PrintWriter out, PrintWriter err) {
        this(options, StreamLimits.DEFAULTS, out, err);
    }

    /** @param limits the readers' caps (headers, ids, log lines) */
    OfflineRun(OfflineOptions options, StreamLimits limits, PrintWriter out, PrintWriter err) {
        this.o = options;
        this.limits = limits;
        this.out = out;
        this.err = err;
        this.findings = new Findings(options.outputs());
    }

    /**
     * Runs and returns the exit code.
     *
     * @throws UsageException if the weights file does not fit the configuration
     */
    int run() {
        long t0 = System.nanoTime();
        ModelConfig cfg = o.config();
        Weights weights = weights(cfg); // a refusal is then the only line on stderr
        err.println("longseq offline: " + o.input() + " (" + ModelOptions.lower(o.kind()) + "), engine "
                + o.engine().optionValue() + ", " + describe(cfg) + ", "
                + (o.weights() != null ? "weights " + o.weights() : "seeded default weights (seed " + o.seed() + ")"));
        err.flush();
        String failure = null;
        boolean outDirMade = false;
        try {
            Files.createDirectories(o.outDir());
            outDirMade = true;
            try (Engine engine = Engine.create(o.engine(), cfg, weights);
                 SequenceSource source = SequenceSource.open(o.input(), cfg, limits);
                 BlockJsonWriter json = new BlockJsonWriter(Files.newBufferedWriter(o.blocksFile(), StandardCharsets.UTF_8));
                 GenomeTracks tracks = o.outputs().genomeFiles() ? new GenomeTracks(o.outDir(), o.outputs()) : null;
                 Writer alerts = o.outputs().alerts()
                         ? Files.newBufferedWriter(o.alertsFile(), StandardCharsets.UTF_8) : null;
                 Progress progress = new Progress(err)) {
                SequenceSource.Sequence s;
                while ((s = source.next()) != null) {
                    records++;
                    compute(s, engine, new Sinks(json, tracks, alerts), progress);
                }
                json.flush();
                links = tracks != null ? tracks.links() : -1;
            }
        } catch (IOException e) {
            failure = describe(e);
        } catch (UncheckedIOException e) {
            failure = describe(e.getCause());
        }
        if (outDirMade) { // also after a failure: the lines in blocks.jsonl are this run's, so are the settings
            try {
                SettingsFile.write(o.outDir(), o.settings(), OfflineCommand.SETTINGS);
            } catch (IOException e) {
                failure = failure != null ? failure : "could not write " + o.outDir().resolve(SettingsFile.FILE) + " ("
                        + Refusals.describe(e) + ")";
            }
        }
        if (failure != null) {
            err.println("longseq offline: stopped: " + Refusals.oneLine(failure));
        }
        if (failure == null || records > 0) {
            summary((System.nanoTime() - t0) / 1e9);
        }
        err.flush();
        out.flush();
        return failure != null || skipped > 0 ? 1 : 0;
    }

    /** Where each block goes: blocks.jsonl, the genome-browser files (or null), alerts.jsonl (or null). */
    private record Sinks(BlockJsonWriter json, GenomeTracks tracks, Writer alerts) {}

    private void compute(SequenceSource.Sequence s, Engine engine, Sinks sinks, Progress progress)
            throws IOException {
        String what = s.number() > 0 ? "record " + s.number() + " '" + FastaReader.shorten(s.id(), 200) + "'"
                : "lines of the input";
        if (!s.isOk()) {
            skip(what, s.problem());
            progress.done(0);
            return;
        }
        if (s.positions() == 0) {
            err.println("longseq offline: " + what + " is empty: no blocks");
            progress.done(0);
            return;
        }
        progress.start(FastaReader.shorten(s.id(), 200), s.positions()); // display only
        long t = System.nanoTime();
        List<BlockResult> results;
        try {
            results = engine.run(s.ids(), s.positions(), progress::within,
                    io.longseq.math.memory.BigBirdMemory.sequenceSeed(s.id()));
        } catch (IllegalArgumentException | IllegalStateException e) {
            skip(what, e.getMessage());
            progress.done(0);
            return;
        }
        computeNanos += System.nanoTime() - t;
        double alertAt = o.outputs().alertThreshold();
        for (BlockResult r : results) {
            sinks.json().write(s.id(), r);
            findings.offer(s.id(), r);
            if (sinks.tracks() != null) {
                sinks.tracks().add(s.id(), r);
            }
            if (sinks.alerts() != null && r.novelty() >= alertAt) {
                sinks.alerts().write(JsonLines.alert(s.id(), r.block(), r.start(), r.end(), r.novelty()));
                sinks.alerts().write('\n');
            }
        }
        positions += s.positions();
        blocks += results.size();
        progress.done(s.positions());
    }

    private void skip(String what, String reason) {
        skipped++;
        err.println(Refusals.oneLine("longseq offline: skipping " + what + ": " + reason));
        err.flush();
    }

    private Weights weights(ModelConfig cfg) {
        if (o.weights() == null) {
            return WeightsInit.defaults(cfg, o.seed());
        }
        try {
            return WeightsIo.load(o.weights(), cfg);
        } catch (io.longseq.math.weights.NpzException e) { // checked by OfflineCommand already; changed since?
            throw new UsageException(e.getMessage(), e);
        }
    }

    private void summary(double wallSeconds) {
        double computeSeconds = computeNanos / 1e9;
        out.printf(Locale.ROOT, "records:   %,d (%,d computed, %,d skipped)%n", records, records - skipped, skipped);
        out.printf(Locale.ROOT, "positions: %,d in %,d blocks%n", positions, blocks);
        out.printf(Locale.ROOT, "time:      %.2f s wall, %.2f s in the model, %,.0f positions/s (engine %s)%n",
                wallSeconds, computeSeconds, positions / Math.max(computeSeconds, 1e-9), o.engine().optionValue());
        out.println("output:    " + o.blocksFile() + (links < 0 ? "" : ", " + o.outDir().resolve(GenomeTracks.LINKS)
                + String.format(Locale.ROOT, " (%,d links), ", links) + o.outDir().resolve(GenomeTracks.TRACKS))
                + (o.outputs().alerts() ? ", " + o.alertsFile() : ""));
        findings.print(out, o.alertsFile().toString());
    }

    /**
     * NIO messages are often just a path, and a decompressor's ("invalid distance too far back") none at all: the
     * exception's name says what happened, and the input is named unless the message already names it.
     */
    private String describe(IOException e) {
        if (e instanceof FastaReader.FormatException || e.getClass() == IOException.class) {
            return e.getMessage();
        }
        return o.input() + " could not be read (" + Refusals.describe(e) + ")";
    }

    private static String describe(ModelConfig c) {
        return "d=" + c.dModel() + " heads=" + c.heads() + " window=" + c.window() + " layers=" + c.layers()
                + (c.causal() ? " causal" : "") + " block=" + c.blockSize() + " chunk=" + c.chunkSize()
                + (c.featureKind() == FeatureKind.DNA ? " kmer=" + c.kmer() : "")
                + " " + ModelOptions.lower(c.pooling()) + "/" + ModelOptions.lower(c.globalMode());
    }
}
