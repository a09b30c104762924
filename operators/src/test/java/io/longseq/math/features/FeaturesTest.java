package io.longseq.math.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longseq.math.model.ModelConfig;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Feature ids: DNA k-mers (whole and chunked), token ids, masked and hashed log words. */
class FeaturesTest {

    private static ModelConfig dna(int k) {
        return ModelConfig.builder().featureKind(FeatureKind.DNA).kmer(k).build();
    }

    private static final ModelConfig TOKENS = ModelConfig.builder().featureKind(FeatureKind.TOKENS).vocabSize(100).build();

    private static ModelConfig log(int f, int v) {
        return ModelConfig.builder().featureKind(FeatureKind.LOG).maxFeatures(f).vocabSize(v).build();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    // ------------------------------------------------------------------------------------------------ DNA

    @Test
    void kmersByHand() {
        ModelConfig k2 = dna(2);
        assertThat(k2.nId()).isEqualTo(16);
        assertThat(k2.padId()).isEqualTo(17);
        // ACGT: position 0 has no whole 2-mer; AC = 0*4+1 = 1, CG = 1*4+2 = 6, GT = 2*4+3 = 11
        assertThat(Features.dnaKmers(b("ACGT"), k2)).containsExactly(17, 1, 6, 11);
        // k = 3: TTT = 63, first base most significant: GAT = 2*16 + 0*4 + 3 = 35
        assertThat(Features.dnaKmers(b("GATTT"), dna(3))).containsExactly(65, 65, 35, 15, 63);
        // k = 1: every base is its own id, no padding
        assertThat(Features.dnaKmers(b("TGCA"), dna(1))).containsExactly(3, 2, 1, 0);
    }

    @Test
    void lowercaseAndUracilAreNormalBases() {
        ModelConfig k3 = dna(3);
        assertThat(Features.dnaKmers(b("acgtacgt"), k3)).containsExactly(Features.dnaKmers(b("ACGTACGT"), k3));
        assertThat(Features.dnaKmers(b("AcGtAcGt"), k3)).containsExactly(Features.dnaKmers(b("ACGTACGT"), k3));
        assertThat(Features.dnaKmers(b("ACGU"), k3)).containsExactly(Features.dnaKmers(b("ACGT"), k3));
        assertThat(Features.dnaKmers(b("acgu"), k3)).containsExactly(Features.dnaKmers(b("ACGT"), k3));
    }

    @Test
    void everyOtherIupacCodeMakesTheNId() {
        ModelConfig k2 = dna(2);
        int n = k2.nId();
        for (char c : "RYSWKMBDHVNryswkmbdhvn".toCharArray()) {
            // A?C: the k-mers A?, ?C hold the code, CA after it is clean again
            byte[] s = b("A" + c + "CA");
            assertThat(Features.firstInvalidBase(s, 0, s.length)).as("%s", c).isEqualTo(-1);
            assertThat(Features.dnaKmers(s, k2)).as("%s", c).containsExactly(k2.padId(), n, n, 4);
        }
        // an N at position 0 stays inside the k-mers that cover it, even while still padding
        assertThat(Features.dnaKmers(b("NACGT"), dna(3))).containsExactly(65, 65, 64, 6, 27);
    }

    @Test
    void invalidBytesAreFoundWithTheirPosition() {
        byte[] s = b("ACGT-ACGT");
        assertThat(Features.firstInvalidBase(s, 0, s.length)).isEqualTo(4);
        assertThat(Features.firstInvalidBase(s, 5, s.length)).isEqualTo(-1);
        for (String bad : new String[] {"-", ".", "X", "x", "1", " ", "\n", ">", "*", "E", "Z"}) {
            byte[] t = b("AC" + bad + "G");
            assertThat(Features.firstInvalidBase(t, 0, t.length)).as(bad).isEqualTo(2);
        }
        byte[] nonAscii = {'A', (byte) 0xC3, 'C'};
        assertThat(Features.firstInvalidBase(nonAscii, 0, 3)).isEqualTo(1);

        assertThatThrownBy(() -> Features.requireValidBases(s, 0, s.length, 1000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'-'")
                .hasMessageContaining("0x2D")
                .hasMessageContaining("position 1004");
        assertThatThrownBy(() -> Features.dnaKmers(s, dna(2)))
                .hasMessageContaining("position 4")
                .hasMessageContaining("'-'");
        // a slice starting at absolute position 5000: byte index 4 of the slice from 2 is position 5002
        assertThatThrownBy(() -> Features.dnaKmers(s, 2, s.length, 5000, dna(2)))
                .hasMessageContaining("position 5002");
        assertThat(Features.invalidBaseMessage(b("\n"), 0, 7)).contains("(0x0A)").contains("position 7");
    }

    @Test
    void chunkedExtractionWithAHaloEqualsWholeSequence() {
        Random r = new Random(1);
        String alphabet = "ACGTACGTACGTacgtN";
        byte[] seq = new byte[1000];
        for (int i = 0; i < seq.length; i++) {
            seq[i] = (byte) alphabet.charAt(r.nextInt(alphabet.length()));
        }
        for (int k : new int[] {1, 2, 3, 6, 8}) {
            ModelConfig cfg = dna(k);
            int[] whole = Features.dnaKmers(seq, cfg);
            assertThat(whole).hasSize(seq.length);
            for (int chunk : new int[] {1, 7, 64, 333}) {
                int[] stitched = new int[seq.length];
                for (int start = 0; start < seq.length; start += chunk) {
                    int end = Math.min(seq.length, start + chunk);
                    // the slice holds k-1 bases of left context (fewer at the start of the sequence)
                    int p0 = Math.max(0, start - (k - 1));
                    int[] ids = Features.dnaKmers(seq, p0, end, p0, start - p0, cfg);
                    assertThat(ids).as("k=%d chunk=%d start=%d", k, chunk, start).hasSize(end - start);
                    System.arraycopy(ids, 0, stitched, start, ids.length);
                    // the automatic form emits from p0 + dnaContext(p0): from 0 when the slice starts the sequence
                    int[] auto = Features.dnaKmers(seq, p0, end, p0, cfg);
                    int first = p0 + Features.dnaContext(p0, cfg);
                    assertThat(auto).containsExactly(Arrays.copyOfRange(whole, Math.min(first, end), end));
                }
                assertThat(stitched).as("k=%d chunk=%d", k, chunk).containsExactly(whole);
            }
            // the explicit-skip form: a chunk [200, 300) with a longer halo [150, 300), skip 50
            int[] part = Features.dnaKmers(seq, 150, 300, 150, 50, cfg);
            assertThat(part).containsExactly(Arrays.copyOfRange(whole, 200, 300));
        }
    }

    @Test
    void chunkStartingInsideTheFirstKmerIsRefusedWithoutContext() {
        ModelConfig k4 = dna(4);
        byte[] s = b("ACGTACGT");
        // positions [1, 8) with no skip: position 3 needs base 0, which is not in the slice
        assertThatThrownBy(() -> Features.dnaKmers(s, 1, 8, 1, 0, k4))
                .hasMessageContaining("position 3 needs bases from 0")
                .hasMessageContaining("slice starts at 1");
        // the automatic form skips k-1 = 3 positions: ids of [4, 8)
        assertThat(Features.dnaKmers(s, 1, 8, 1, k4)).containsExactly(Arrays.copyOfRange(Features.dnaKmers(s, k4), 4, 8));
        // a slice shorter than its context gives nothing
        assertThat(Features.dnaKmers(s, 1, 3, 1, k4)).isEmpty();
        assertThat(Features.dnaContext(0, k4)).isZero();
        assertThat(Features.dnaContext(10, k4)).isEqualTo(3);
    }

    @Test
    void dnaNeedsADnaConfig() {
        assertThatThrownBy(() -> Features.dnaKmers(b("ACGT"), TOKENS)).hasMessageContaining("featureKind DNA");
    }

    // --------------------------------------------------------------------------------------------- TOKENS

    @Test
    void tokenIdsAreCheckedAndCopied() {
        int[] ids = {0, 5, 99};
        int[] out = Features.tokenIds(ids, TOKENS);
        assertThat(out).containsExactly(0, 5, 99).isNotSameAs(ids);
        assertThat(Features.firstInvalidToken(ids, TOKENS)).isEqualTo(-1);
        assertThat(Features.firstInvalidToken(new int[] {1, 100}, TOKENS)).isEqualTo(1);
        assertThatThrownBy(() -> Features.tokenIds(new int[] {1, 2, 100}, TOKENS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index 2")
                .hasMessageContaining("is 100")
                .hasMessageContaining("[0, 100)");
        assertThatThrownBy(() -> Features.tokenIds(new int[] {-1}, TOKENS))
                .hasMessageContaining("index 0")
                .hasMessageContaining("is -1");
        assertThatThrownBy(() -> Features.tokenIds(new int[] {1}, dna(2))).hasMessageContaining("featureKind TOKENS");
    }

    // ------------------------------------------------------------------------------------------------ LOG

    @Test
    void hdfsLineIsMasked() {
        String line = "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block "
                + "blk_38865049064139660 terminating";
        assertThat(LogLines.words(line)).containsExactly("<NUM>", "<NUM>", "<NUM>", "info", "dfs", "datanode",
                "packetresponder", "packetresponder", "<NUM>", "for", "block", "blk", "<NUM>", "terminating");
        // the same statement for another block and thread gives the same words
        String other = "081110 101010 2 INFO dfs.DataNode$PacketResponder: PacketResponder 0 for block "
                + "blk_-1608999687919862906 terminating";
        assertThat(LogLines.words(other)).isEqualTo(LogLines.words(line));
    }

    @Test
    void sshLineIsMasked() {
        assertThat(LogLines.words("Failed password for root from 183.62.140.253 port 22 ssh2"))
                .containsExactly("failed", "password", "for", "root", "from", "<IP>", "port", "<NUM>", "ssh2");
        assertThat(LogLines.words("Receiving block src: /10.250.19.102:54106 dest: /10.250.19.102:50010"))
                .containsExactly("receiving", "block", "src", "<IP>", "dest", "<IP>");
    }

    @Test
    void pathsHexAndNumbersAreMasked() {
        assertThat(LogLines.words("Opened /var/log/syslog.1 and a/b/c, wrote conf/ ./run.sh"))
                .containsExactly("opened", "<PATH>", "and", "<PATH>", "wrote", "<PATH>", "<PATH>");
        assertThat(LogLines.words("GET http://example.com/index.html 200"))
                .containsExactly("get", "http", "<PATH>", "<NUM>");
        assertThat(LogLines.words("ptr 0x7f3a9c00 id deadbeef42 uuid 123e4567-e89b-12d3-a456-426614174000 word cafebabe"))
                .containsExactly("ptr", "<HEX>", "id", "<HEX>", "uuid", "<HEX>", "word", "cafebabe");
        assertThat(LogLines.words("took 35ms, load -0.75 +3 1.5e-3 at 2015-10-18 18:01:47,978"))
                .containsExactly("took", "<NUM>", "ms", "load", "<NUM>", "<NUM>", "<NUM>", "at", "<NUM>", "<NUM>",
                        "<NUM>", "<NUM>", "<NUM>", "<NUM>", "<NUM>");
        assertThat(LogLines.words("version 1.2.3.4.5 ok")).doesNotContain("<IP>");
        assertThat(LogLines.words("Ünïcode FEHLER beim Öffnen")).containsExactly("ünïcode", "fehler", "beim", "öffnen");
    }

    @Test
    void logLineFillsFSlots() {
        ModelConfig cfg = log(4, 1000);
        int[] ids = Features.logLine("Failed password for root from 183.62.140.253", cfg);
        assertThat(ids).hasSize(4);
        assertThat(ids[0]).isEqualTo(LogLines.hash("failed", 1000));
        assertThat(ids[3]).isEqualTo(LogLines.hash("root", 1000));
        for (int id : ids) {
            assertThat(id).isBetween(0, 999);
        }
        assertThat(Features.logLine("two words", cfg)).containsExactly(LogLines.hash("two", 1000),
                LogLines.hash("words", 1000), -1, -1);
        assertThat(Features.logLine("", cfg)).containsExactly(-1, -1, -1, -1);
        assertThat(Features.logLine("  ::: --- ", cfg)).containsExactly(-1, -1, -1, -1);
        int[] many = Features.logLines(List.of("a b", "", "x"), cfg);
        assertThat(many).containsExactly(LogLines.hash("a", 1000), LogLines.hash("b", 1000), -1, -1,
                -1, -1, -1, -1, LogLines.hash("x", 1000), -1, -1, -1);
        assertThatThrownBy(() -> Features.logLine("x", dna(2))).hasMessageContaining("featureKind LOG");
        assertThatThrownBy(() -> Features.logLine(null, cfg)).hasMessageContaining("null");
    }

    @Test
    void hashIsFnv1a32() {
        // Reference values of 32-bit FNV-1a: "" -> 0x811c9dc5, "a" -> 0xe40c292c, "foobar" -> 0xbf9cf968
        assertThat(LogLines.fnv1a32(new byte[0])).isEqualTo(0x811c9dc5);
        assertThat(LogLines.fnv1a32(b("a"))).isEqualTo(0xe40c292c);
        assertThat(LogLines.fnv1a32(b("foobar"))).isEqualTo(0xbf9cf968);
        assertThat(LogLines.hash("a", 1000)).isEqualTo(Integer.remainderUnsigned(0xe40c292c, 1000));
        assertThat(LogLines.hash("a", 1000)).isEqualTo((int) (0xe40c292cL % 1000));
    }
}
