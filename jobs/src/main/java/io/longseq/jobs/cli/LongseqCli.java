package io.longseq.jobs.cli;

import io.longseq.jobs.Refusals;
import io.longseq.jobs.UsageException;
import io.longseq.jobs.cluster.GracefulStop;
import io.longseq.jobs.cluster.StopCommand;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * The {@code longseq} command: {@code run} (the streaming job on an embedded Flink) and {@code offline} (the same
 * computation without Flink, or the reference). {@link #main} is the jar's entry point; tests run the same command
 * in-process with {@link #commandLine()}{@code .execute(args)}.
 *
 * <p>How every command ends: 0 done; 2 the command line cannot be run as given (a bad option or value, an input or
 * weights file that cannot be used), said in exactly one line on stderr, {@code longseq <command>: <what>}, without
 * the usage text; 1 input refused or a failure while running, the failure in one line
 * {@code longseq: <command> failed: <what>: <message>}. With {@code --verbose} the stack trace follows the line.
 */
@Command(name = "longseq", mixinStandardHelpOptions = true, version = "longseq 0.1.0-SNAPSHOT",
        description = "Long-sequence attention: local sliding-window attention plus hierarchical block-level context.",
        subcommands = {OfflineCommand.class, ProduceCommand.class, ConsumeCommand.class})
public final class LongseqCli implements Runnable {

    @Spec
    CommandSpec spec;

    /** Without a subcommand: say so and fail, so a script that forgot it does not pass silently. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: longseq run|offline|produce|consume|broker|stop|cluster|report ...");
    }

    /** The command line with every subcommand, and the one-line handlers of refusals and failures. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new LongseqCli());
        cl.addSubcommand(RunCommand.NAME, RunCommand.command());
        cl.addSubcommand(BrokerCommand.NAME, new BrokerCommand());
        cl.addSubcommand(io.longseq.jobs.cluster.ClusterCommand.NAME, new io.longseq.jobs.cluster.ClusterCommand());
        OptionFlags.add(cl.getSubcommands().get("offline").getCommandSpec(), OfflineCommand.OPTIONS);
        OptionFlags.add(cl.getSubcommands().get("produce").getCommandSpec(), ProduceCommand.OPTIONS);
        OptionFlags.add(cl.getSubcommands().get("consume").getCommandSpec(), ConsumeCommand.OPTIONS);
        cl.addSubcommand(StopCommand.NAME, new StopCommand());
        cl.addSubcommand(ReportCommand.NAME, new ReportCommand());
        OptionFlags.add(cl.getSubcommands().get(ReportCommand.NAME).getCommandSpec(), ReportCommand.OPTIONS);
        cl.setParameterExceptionHandler(LongseqCli::refuse);
        cl.setExecutionExceptionHandler((e, command, parsed) ->
                fail(e, command, parsed == null ? null : parsed.originalArgs().toArray(new String[0])));
        CommandLine.IExecutionStrategy runLast = new CommandLine.RunLast();
        cl.setExecutionStrategy(parsed -> {
            try {
                return runLast.execute(parsed);
            } catch (StackOverflowError | OutOfMemoryError | LinkageError e) { // never end without a word
                CommandLine last = parsed.asCommandLineList().get(parsed.asCommandLineList().size() - 1);
                throw new CommandLine.ExecutionException(last, e.toString(), e);
            }
        });
        return cl;
    }

    /** A command line that cannot be parsed: one line, exit 2 (the usage text only with --help). */
    static int refuse(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        String name = command.getCommandSpec().qualifiedName();
        StringBuilder line = new StringBuilder(name).append(": ").append(e.getMessage());
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            line.append("; did you mean ").append(String.join(" or ", u.getSuggestions())).append('?');
        }
        line.append(" (see ").append(name).append(" --help)");
        Refusals.print(err, line.toString(), e, Refusals.verbose(args));
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** A failure while running: one line, exit 1; a {@link UsageException} that got this far: one line, exit 2. */
    static int fail(Exception e, CommandLine command, String[] args) {
        Throwable cause = e instanceof CommandLine.ExecutionException && e.getCause() != null ? e.getCause() : e;
        PrintWriter err = command.getErr();
        String name = command.getCommandSpec().qualifiedName();
        boolean verbose = Refusals.verbose(args);
        if (cause instanceof UsageException u) {
            Refusals.print(err, name + ": " + u.getMessage(), u, verbose);
            return 2;
        }
        String sub = name.startsWith("longseq ") ? name.substring("longseq ".length()) : name;
        Refusals.print(err, "longseq: " + sub + " failed: " + Refusals.describe(cause)
                + (verbose ? "" : " (--verbose prints the stack trace)"), cause, verbose);
        return 1;
    }

    /**
     * Loads the logging configuration (the binding, ~0.15 s) in a daemon thread while the command line is parsed on
     * this one; the first logger a command asks for waits for it, if it is still loading (docs/benchmarks.md,
     * "Start-up").
     */
    private static void loadLoggingAside() {
        Thread t = new Thread(() -> org.slf4j.LoggerFactory.getLogger(LongseqCli.class), "longseq-logging-init");
        t.setDaemon(true);
        t.start();
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line as {@link #main} does and returns its exit code instead of exiting. */
    static int execute(String[] args) {
        io.longseq.stream.StartupTrace.mark("main");
        Slf4jQuiet.init();
        loadLoggingAside();
        GracefulStop.enableSignals(); // Ctrl-C stops a Kafka run with a savepoint
        int code;
        try {
            CommandLine cl = commandLine();
            io.longseq.stream.StartupTrace.mark("command-line-built");
            code = cl.execute(args);
        } catch (Throwable t) { // the handlers above catch everything a command throws; this is the last net
            PrintWriter err = new PrintWriter(System.err, true);
            Refusals.print(err, "longseq: failed: " + Refusals.describe(t), t, Refusals.verbose(args));
            code = 1;
        }
        return code;
    }
}
