package io.longseq.jobs;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Placeholder until the CLI lands. */
@Command(name = "longseq", mixinStandardHelpOptions = true)
public final class LongseqCli implements Runnable {
    @Override
    public void run() {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new LongseqCli()).execute(args));
    }
}
