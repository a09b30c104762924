package io.longseq.jobs.cli;

import io.longseq.jobs.offline.Engine;
import io.longseq.jobs.output.OutputSettings;
import io.longseq.math.features.FeatureKind;
import io.longseq.math.model.ModelConfig;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;

/**
 * Everything one {@code offline} run needs, parsed and validated once from the command line; immutable, so the
 * run itself never looks at raw option strings again.
 *
 * @param input   the sequence file
 * @param kind    what the file holds (from {@code --kind} or the file name)
 * @param outDir  where {@code blocks.jsonl} goes
 * @param engine  which implementation computes
 * @param weights the {@code .npz} weights file, or null for the seeded default init
 * @param seed    the seed of the default init (unused when {@code weights} is set)
 * @param config  the model, its feature kind equal to {@code kind}
 * @param outputs what the outputs beside blocks.jsonl need: link and alert thresholds (docs/outputs.md)
 * @param settings the effective options, written to settings.json ({@link OfflineCommand#SETTINGS}); not changed
 */
public record OfflineOptions(Path input, FeatureKind kind, Path outDir, Engine.Kind engine, Path weights, long seed,
                             ModelConfig config, OutputSettings outputs, Configuration settings) {

    /** The output file: one JSON line per block. */
    public Path blocksFile() {
        return outDir.resolve("blocks.jsonl");
    }

    /** The alerts: one JSON line per block at or above the alert threshold. */
    public Path alertsFile() {
        return outDir.resolve("alerts.jsonl");
    }
}
