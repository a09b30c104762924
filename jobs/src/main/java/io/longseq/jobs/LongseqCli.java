package io.longseq.jobs;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code longseq} command: {@code run} (the streaming job on an embedded Flink) and {@code offline} (the same
 * computation without Flink, or the reference). {@link #main} is the jar's entry point; tests run the same command
 * in-process with {@link #commandLine()}{@code .execute(args)}.
 */
@Command(name = "longseq", mixinStandardHelpOptions = true, version = "longseq 0.1.0-SNAPSHOT",
        description = "Long-sequence attention: local sliding-window attention plus hierarchical block-level context.",
        subcommands = {OfflineCommand.class, ProduceCommand.class, ConsumeCommand.class})
public final class LongseqCli implements Runnable {

    @Spec
    CommandSpec spec;

    /** Without a subcommand: print the usage and fail, so a script that forgot it does not pass silently. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: longseq run|offline|produce|consume|broker ...");
    }

    /** The command line with every subcommand. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new LongseqCli());
        cl.addSubcommand(RunCommand.NAME, RunCommand.command());
        cl.addSubcommand(BrokerCommand.NAME, new BrokerCommand());
        return cl;
    }

    public static void main(String[] args) {
        Slf4jQuiet.init();
        System.exit(commandLine().execute(args));
    }
}
