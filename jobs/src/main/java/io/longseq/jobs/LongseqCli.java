package io.longseq.jobs;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code longseq} command. Today it has one subcommand, {@code offline}, which computes a file on this machine;
 * the streaming job on Flink arrives as a further subcommand. {@link #main} is the jar's entry point; tests run the
 * same command in-process with {@code new CommandLine(new LongseqCli()).execute(args)}.
 */
@Command(name = "longseq", mixinStandardHelpOptions = true, version = "longseq 0.1.0-SNAPSHOT",
        description = "Long-sequence attention: local sliding-window attention plus hierarchical block-level context.",
        subcommands = {OfflineCommand.class})
public final class LongseqCli implements Runnable {

    @Spec
    CommandSpec spec;

    /** Without a subcommand: print the usage and fail, so a script that forgot it does not pass silently. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: longseq offline ...");
    }

    public static void main(String[] args) {
        Slf4jQuiet.init();
        System.exit(new CommandLine(new LongseqCli()).execute(args));
    }
}
