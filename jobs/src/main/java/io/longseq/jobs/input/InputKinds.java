package io.longseq.jobs.input;

import io.longseq.jobs.UsageException;
import io.longseq.math.features.FeatureKind;
import java.nio.file.Path;

/**
 * Tells what a file holds from its extension, when {@code --kind} is not given.
 *
 * <p>{@code .fa .fasta .fna} are DNA (FASTA), {@code .fq .fastq} DNA (FASTQ), {@code .txt .tokens} are token ids, {@code .log} is a log; each
 * may end in {@code .gz}. Anything else is an error that names the file and the way out ({@code --kind}),
 * because guessing from content would turn a wrong guess into silently meaningless output.
 */
public final class InputKinds {

    private InputKinds() {}

    /**
     * The kind for this file name.
     *
     * @throws UsageException naming the file and the known extensions when the extension is unknown
     */
    public static FeatureKind detect(Path path) {
        String name = InputFiles.baseName(path);
        if (name.endsWith(".fa") || name.endsWith(".fasta") || name.endsWith(".fna") || name.endsWith(".fq")
                || name.endsWith(".fastq")) {
            return FeatureKind.DNA;
        }
        if (name.endsWith(".log")) {
            return FeatureKind.LOG;
        }
        if (name.endsWith(".txt") || name.endsWith(".tokens")) {
            return FeatureKind.TOKENS;
        }
        throw new UsageException("cannot tell the input kind of '" + path + "' from its name: give --kind dna|tokens|log"
                + " (known extensions, each optionally .gz: .fa .fasta .fna .fq .fastq = dna, .txt .tokens = tokens, .log = log)");
    }
}
