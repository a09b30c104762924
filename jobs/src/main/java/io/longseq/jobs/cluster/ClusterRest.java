package io.longseq.jobs.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A few GETs against a Flink cluster's REST endpoint (the web UI's API): {@code /overview}, {@code /taskmanagers},
 * {@code /jobs/overview}, a job's vertices and metrics. For {@code longseq cluster status}, the readiness wait of
 * {@code cluster start}, the progress of {@code run --jobmanager} and tests.
 */
public final class ClusterRest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http;
    private final Duration timeout;

    /** {@code endpoint} = HOST:PORT. */
    public ClusterRest(String endpoint, Duration timeout) {
        this.base = "http://" + endpoint;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    public String base() {
        return base;
    }

    /** GET {@code path} (starting with /) as JSON; IOException when nothing answers or the status is not 200. */
    public JsonNode get(String path) throws IOException {
        HttpRequest r = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).GET().build();
        try {
            HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) {
                throw new IOException("GET " + path + ": HTTP " + res.statusCode() + " " + cut(res.body()));
            }
            return JSON.readTree(res.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.net.ConnectException e) {
            throw new IOException("connection refused", e);
        } catch (java.net.http.HttpTimeoutException e) {
            throw new IOException("no answer within " + timeout.toSeconds() + " s", e);
        } catch (IOException e) {
            if (e.getMessage() != null && !e.getMessage().isBlank()) {
                throw e;
            }
            throw new IOException(e.getClass().getSimpleName() + (e.getCause() == null ? ""
                    : ": " + e.getCause()), e); // ConnectException has no message
        }
    }

    /** {@code /overview}: taskmanagers, slots-total, slots-available, jobs-running, flink-version, ... */
    public JsonNode overview() throws IOException {
        return get("/overview");
    }

    /** True if the endpoint answers {@code /overview}. */
    public boolean answers() {
        try {
            overview();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String cut(String s) {
        String t = s == null ? "" : s.replace('\n', ' ');
        return t.length() > 300 ? t.substring(0, 300) + "..." : t;
    }

    /** The JSON reader, for callers that parse REST answers of their own. */
    public static ObjectMapper json() {
        return JSON;
    }
}
