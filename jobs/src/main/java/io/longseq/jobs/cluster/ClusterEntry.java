package io.longseq.jobs.cluster;


/**
 * The job jar's entry class (its manifest's Main-Class) for Flink's own tools: {@code flink run longseq.jar ARGS},
 * the web UI's "Submit New Job", and REST ({@code POST /jars/upload}, then {@code POST /jars/<id>/run} with
 * {@code programArgsList}). ARGS are those of {@code longseq run} (inputs and flags, or Kafka mode with
 * {@code --bootstrap-servers}); {@code -D key=value} and the cluster's own configuration as usual.
 *
 * <p>Safe where the main method runs inside the JobManager (REST, web UI): it never calls {@code System.exit} (the CLI
 * entry {@code LongseqCli} did, which ended the JobManager), submits and returns without fetching the job's result
 * (unavailable to a web submission), and merges nothing: in file mode the outputs stay one file per subtask in
 * {@code OUT/parts-<run id>/} ({@code longseq run --jobmanager} is the command that waits and merges). Only an attached
 * {@code flink run} (without {@code -d}) waits for the job, and fails if the job fails. A bad argument is an
 * {@link IllegalArgumentException} with one line.
 */
public final class ClusterEntry {

    private ClusterEntry() {}

    public static void main(String[] args) throws Exception {
        ClusterJob.Submitted s = ClusterJob.submit(args);
        if (s != null && s.attached()) {
            s.client().getJobExecutionResult().get();
            System.out.println("longseq: job " + s.client().getJobID() + " finished; outputs: " + s.outputs());
        }
    }
}
