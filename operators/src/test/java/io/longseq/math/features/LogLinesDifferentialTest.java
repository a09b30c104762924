package io.longseq.math.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scanner of {@link LogLines} against the regex it replaced ({@link LogLinesRegexOracle}): the same tokens,
 * in the same order, on hand-picked tricky lines, on random lines drawn from the characters the rules care about,
 * and on every line of the sample logs. Valid behaviour must stay bitwise identical: the tokens' ids feed the model.
 */
class LogLinesDifferentialTest {

    private static final String SUPP_LETTER = new String(Character.toChars(0x1D400));  // MATHEMATICAL BOLD CAPITAL A
    private static final String SUPP_DIGIT = new String(Character.toChars(0x1D7CE));   // MATHEMATICAL BOLD DIGIT ZERO
    private static final String SUPP_OTHER = new String(Character.toChars(0x1F600));   // an emoji: no letter, no digit

    private static final String[] TRICKY = {
        // the javadoc's and FeaturesTest's examples
        "183.62.140.253", "10.250.19.102:50010", "/var/log/syslog", "a/b/c", "./run.sh", "conf/", "/10.0.0.1:80",
        "0x1F", "0X1f", "0x", "0xg", "0x1Fg", "123e4567-e89b-12d3-a456-426614174000", "deadbeef12", "deadbeef42",
        "cafebabe", "2015-10-18", "blk_-160", "blk_3886", "35ms", "dfs.DataNode$Packet", "-0.75", "+3", "1.5e-3",
        "1.5E+3", "1e5", "1e", "1e+", "1.", ".5", "1.2.3.4.5", "version 1.2.3.4.5 ok", "2015-10-18 18:01:47,978",
        "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 "
                + "terminating",
        "blk_-1608999687919862906", "Failed password for root from 183.62.140.253 port 22 ssh2",
        "Receiving block src: /10.250.19.102:54106 dest: /10.250.19.102:50010",
        "Opened /var/log/syslog.1 and a/b/c, wrote conf/ ./run.sh", "GET http://example.com/index.html 200",
        "ptr 0x7f3a9c00 id deadbeef42 uuid 123e4567-e89b-12d3-a456-426614174000 word cafebabe",
        "took 35ms, load -0.75 +3 1.5e-3 at 2015-10-18 18:01:47,978", "Ünïcode FEHLER beim Öffnen",
        // IPs: ports, bad ports, neighbours
        "1.2.3.4:80", "1.2.3.4:123456", "1.2.3.4:", "1.2.3.4:80x", "1.2.3.4:80.5", "1.2.3.4.", "1.2.3.4.x",
        "1.2.3.4x", "1.2.3.4_", "1.2.3.1234", "1234.1.1.1", "a1.2.3.4", ".1.2.3.4", "-1.2.3.4", "1.2.3", "1..2.3.4",
        "255.255.255.255:65535", "999.999.999.999", "1.2.3.4:80:90", "x/1.2.3.4", "a/1.2.3.4/b", "/1.2.3.4/",
        "a/1.2.3.4:80", "a/1.2.3.45x", "a/b/1.2.3.4", "a/b1.2.3.4", "path/10.0.0.1:80/x", "/1.2.3.4.5", "1.2.3.4/a",
        "1.2.3.4" + SUPP_LETTER, "1.2.3.4" + SUPP_OTHER, "1.2.3.4é", "1.2.3.4٣",
        // paths
        "/", "//", "///a", "a//b", "a/", "a/ b", "/a", "/a/", "a/b/", "a/b//", "~/.bashrc", "-/-", "_/", "./", "../x",
        "a/./b", ".../...", "a/-", "/-", "-/", "a/" + SUPP_LETTER, SUPP_LETTER + "/a", "a/" + SUPP_OTHER,
        "é/ü", "a/+5", "a/b+5", "x:/y", "http://a", "C:\\dir\\file",
        // hex
        "deadbeef", "DEADBEEF1", "1234567a", "123456a", "abcdef01g", "abcdef01-", "xdeadbeef12", "-deadbeef12",
        "_deadbeef12", ".deadbeef12", "deadbeef12.5", "00000000-0000-0000-0000-000000000000",
        "00000000-0000-0000-0000-000000000000a", "00000000-0000-0000-0000-0000000000001",
        "00000000-0000-0000-0000-00000000000", "0x00000000-0000-0000-0000-000000000000", "12345678-1234",
        "abcdefab-1234-5678-9abc-def012345678-x", "0x1F" + SUPP_LETTER, "0x1F" + SUPP_OTHER,
        // numbers
        "a-1", "a+1", "-1-1-1", "--1", "+-1", "1-2", "1+2", "1.2.3", "1e-", "1e-x", "1E5x", "1.5e3.2", "x1", "1x",
        "_1", "1_2", "٣", "٣1", "1٣", "²", "x²", "-٣", SUPP_DIGIT + "1", "1" + SUPP_DIGIT,
        // words and unicode
        "İstanbul", "ÀÉÎ", "ǅ", "ﬁ", "Straße", SUPP_LETTER + "X", "a" + SUPP_LETTER + "b", SUPP_LETTER + "1.2.3.4",
        SUPP_LETTER + "-1", SUPP_LETTER + "+1", SUPP_DIGIT + "1.2.3.4", SUPP_OTHER + "1.2.3.4", "\uD835", "\uDC00",
        "\uD8351", "\uDC001.2.3.4", "a\uDC00b", "\uD835\uD835\uDC00",
        // runs of '.' and '-', mixed
        "....", "----", "-.-.-.", "..1..", "--1--", "a.....b", "1.1.1.1.1.1.1.1", "a-b-c-d", ".-/-.", "",
        " ", "  ::: --- ",
    };

    @Test
    void trickyLinesGiveTheRegexTokens() {
        for (String line : TRICKY) {
            assertSame(line);
            // and with neighbours on either side
            assertSame("x " + line + " y");
            assertSame("a" + line + "1");
            assertSame("/" + line + "/");
            assertSame("." + line + ".");
            assertSame("-" + line + "-");
        }
    }

    @Test
    void pairsOfTrickyLinesGiveTheRegexTokens() {
        for (String a : TRICKY) {
            for (String b : TRICKY) {
                assertSame(a + b);
            }
        }
    }

    @Test
    void maxCutsTheSameTokens() {
        String line = "took 35ms, load -0.75 +3 1.5e-3 at 2015-10-18 18:01:47,978 from 1.2.3.4 /a/b";
        for (int max = 0; max < 20; max++) {
            assertThat(LogLines.words(line, max)).as("max %d", max).isEqualTo(LogLinesRegexOracle.words(line, max));
        }
        assertThat(LogLines.words(line, 3)).containsExactly("took", "<NUM>", "ms");
        assertThat(LogLines.words(line, 0)).isEmpty();
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> LogLines.words(null, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
        assertThatThrownBy(() -> LogLines.words("a", -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    // characters the rules care about, the ASCII ones several times to weigh them up
    private static final String[] ALPHABET = {
        "0", "1", "2", "9", "0", "1", "5", "a", "b", "f", "A", "F", "e", "E", "x", "X", "g", "z", "G",
        ".", ".", ".", "/", "/", "/", "-", "-", "-", "+", ":", ":", "_", "~", " ", " ", ",", "$",
        "é", "İ", "٣", "²", SUPP_LETTER, SUPP_DIGIT, SUPP_OTHER, "\uD835", "\uDC00",
    };

    // pieces of tokens, so that near-misses of IPs, UUIDs and paths come up often
    private static final String[] PIECES = {
        "1", "10", "255", "1234", "8080", "123456", ".", "..", ":", "/", "./", "a", "a/", "0x", "0X", "1F",
        "deadbeef", "123e4567", "-e89b", "-12d3", "-a456", "-426614174000", "abcd", "e", "E", "+", "-", "_",
        " ", "~", "conf", "é", "٣", SUPP_LETTER, SUPP_DIGIT, SUPP_OTHER, "1.2.3.4", "1.2.3.", ":80", "x",
    };

    @Test
    void randomLinesGiveTheRegexTokens() {
        Random rnd = new Random(20_20_2024L);
        int iterations = Integer.getInteger("loglines.diff.iterations", 200_000);
        for (int it = 0; it < iterations; it++) {
            String[] from = rnd.nextBoolean() ? ALPHABET : PIECES;
            int len = rnd.nextInt(from == ALPHABET ? 24 : 12);
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < len; k++) {
                sb.append(from[rnd.nextInt(from.length)]);
            }
            String line = sb.toString();
            int max = rnd.nextInt(4) == 0 ? rnd.nextInt(4) : Integer.MAX_VALUE;
            assertThat(LogLines.words(line, max)).as("line %s, max %d", escape(line), max)
                    .isEqualTo(LogLinesRegexOracle.words(line, max));
        }
    }

    /** Every line of the sample logs (LogHub and others), when the shared data folder is there. */
    @Test
    void sampleLogsGiveTheRegexTokens() throws IOException {
        Path dir = Path.of(System.getProperty("loglines.logs.dir", "/work/shared/data/logs"));
        assumeTrue(Files.isDirectory(dir), "no sample logs in " + dir + ": the real-log comparison is skipped");
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.log")) {
            ds.forEach(files::add);
        }
        assumeTrue(!files.isEmpty(), "no *.log files in " + dir + ": the real-log comparison is skipped");
        int lines = 0;
        int tokens = 0;
        for (Path f : files) {
            String text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
            String[] split = text.split("\n", -1);
            for (int k = 0; k < split.length; k++) {
                List<String> expected = LogLinesRegexOracle.words(split[k]);
                assertThat(LogLines.words(split[k])).as("%s line %d", f.getFileName(), k + 1).isEqualTo(expected);
                lines++;
                tokens += expected.size();
            }
        }
        assertThat(lines).isGreaterThan(files.size());
        assertThat(tokens).isGreaterThan(lines);
    }

    private static void assertSame(String line) {
        assertThat(LogLines.words(line)).as("line %s", escape(line)).isEqualTo(LogLinesRegexOracle.words(line));
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c >= 0x20 && c < 0x7F) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04X", (int) c));
            }
        }
        return sb.append('"').toString();
    }
}
