package io.longseq.jobs.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates topics that do not exist yet and waits until every partition answers a list-offsets request, because
 * producing right after creating a topic can hit NotLeaderOrFollowerException and lose records (docs/platform-notes.md).
 */
public final class KafkaTopics {

    private KafkaTopics() {}

    /**
     * Makes sure the topics exist (creating a missing one with {@code partitions} partitions and the broker's
     * default replication) and are ready.
     *
     * @return the topics that were created
     */
    public static List<String> ensure(String bootstrap, Properties client, List<String> topics, int partitions)
            throws ExecutionException, InterruptedException {
        Properties p = new Properties();
        p.putAll(client);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        List<String> created = new ArrayList<>();
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            for (String t : topics) {
                if (existing.contains(t) || created.contains(t)) {
                    continue;
                }
                try {
                    admin.createTopics(List.of(new NewTopic(t, Optional.of(partitions), Optional.empty()))).all().get();
                    created.add(t);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            awaitReady(admin, topics);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ExecutionException("no answer from the Kafka brokers at " + bootstrap + " within 30 s", e);
        }
        return created;
    }

    private static void awaitReady(Admin admin, List<String> topics) throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                Map<String, TopicDescription> d = admin.describeTopics(topics).allTopicNames().get();
                Map<TopicPartition, OffsetSpec> request = new java.util.HashMap<>();
                d.values().forEach(td -> td.partitions().forEach(pi ->
                        request.put(new TopicPartition(td.name(), pi.partition()), OffsetSpec.latest())));
                admin.listOffsets(request).all().get();
                return;
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
