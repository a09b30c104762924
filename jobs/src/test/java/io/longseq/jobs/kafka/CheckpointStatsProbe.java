package io.longseq.jobs.kafka;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.checkpoint.SubtaskStateStats;
import org.apache.flink.runtime.checkpoint.TaskStateStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;

/**
 * Checkpoint statistics of a job on a MiniCluster, as the web UI and REST ({@code /jobs/:id/checkpoints}) show them:
 * Flink's own {@link CheckpointStatsSnapshot}, read from the job's execution graph.
 */
final class CheckpointStatsProbe {

    /** One completed checkpoint: id, end-to-end duration, full and incremental (checkpointed) size, per vertex. */
    record Completed(long id, long durationMs, long stateBytes, long checkpointedBytes, List<Vertex> vertices) {

        Vertex vertex(String nameStart) {
            return vertices.stream().filter(v -> v.name().startsWith(nameStart)).findFirst()
                    .orElseThrow(() -> new AssertionError("no vertex " + nameStart + " in " + vertices));
        }
    }

    /** A vertex's share of a checkpoint: its state, the largest subtask's, its slowest subtask's async phase. */
    record Vertex(String name, long stateBytes, long maxSubtaskStateBytes, long checkpointedBytes,
                  long maxAsyncMs, long maxSyncMs) {}

    /** Counts and the completed checkpoints still in the history (oldest first). */
    record Snapshot(long completed, long failed, int inProgress, List<Completed> history, String latestFailure) {

        Completed latest() {
            return history.isEmpty() ? null : history.get(history.size() - 1);
        }
    }

    private CheckpointStatsProbe() {}

    static Snapshot of(MiniCluster cluster, JobID job) throws Exception {
        AccessExecutionGraph g = cluster.getExecutionGraph(job).get();
        CheckpointStatsSnapshot s = g.getCheckpointStatsSnapshot();
        List<Completed> done = new ArrayList<>();
        List<AbstractCheckpointStats> all = new ArrayList<>(s.getHistory().getCheckpoints());
        java.util.Collections.reverse(all); // the history is newest first
        for (AbstractCheckpointStats c : all) {
            if (c.getStatus() != CheckpointStatsStatus.COMPLETED) {
                continue;
            }
            List<Vertex> vs = new ArrayList<>();
            for (AccessExecutionJobVertex v : g.getVerticesTopologically()) {
                TaskStateStats t = c.getTaskStateStats(v.getJobVertexId());
                if (t == null) {
                    continue;
                }
                long max = 0;
                long async = 0;
                long sync = 0;
                for (SubtaskStateStats st : t.getSubtaskStats()) {
                    if (st != null) {
                        max = Math.max(max, st.getStateSize());
                        async = Math.max(async, st.getAsyncCheckpointDuration());
                        sync = Math.max(sync, st.getSyncCheckpointDuration());
                    }
                }
                vs.add(new Vertex(v.getName(), t.getStateSize(), max, t.getCheckpointedSize(), async, sync));
            }
            done.add(new Completed(c.getCheckpointId(), c.getEndToEndDuration(), c.getStateSize(),
                    c.getCheckpointedSize(), vs));
        }
        String failure = s.getHistory().getLatestFailedCheckpoint() == null ? null
                : String.valueOf(s.getHistory().getLatestFailedCheckpoint().getFailureMessage());
        return new Snapshot(s.getCounts().getNumberOfCompletedCheckpoints(),
                s.getCounts().getNumberOfFailedCheckpoints(), s.getCounts().getNumberOfInProgressCheckpoints(),
                done, failure);
    }
}
