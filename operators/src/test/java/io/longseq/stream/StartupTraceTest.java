package io.longseq.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StartupTraceTest {

    @Test
    void onForAnyValueButEmptyOrZero() {
        assertFalse(StartupTrace.on(null));
        assertFalse(StartupTrace.on(""));
        assertFalse(StartupTrace.on("0"));
        assertTrue(StartupTrace.on("1"));
        assertTrue(StartupTrace.on("yes"));
    }

    @Test
    void launchedAtReadsBashsEpochRealtimeInEitherLocale() {
        assertEquals(1_765_100_000_123L, StartupTrace.launchedAt("1765100000.123456"));
        assertEquals(1_765_100_000_124L, StartupTrace.launchedAt("1765100000,123501"));
        assertEquals(-1, StartupTrace.launchedAt(""));
        assertEquals(-1, StartupTrace.launchedAt(null));
        assertEquals(-1, StartupTrace.launchedAt("soon"));
    }
}
