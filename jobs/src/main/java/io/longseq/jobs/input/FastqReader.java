package io.longseq.jobs.input;

import io.longseq.stream.StreamLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Reads FASTQ records: {@code @id description}, the bases (one or more lines), a {@code +} line, then quality
 * lines until they hold as many characters as there are bases. Qualities are counted, never held, and then
 * dropped: the model reads bases. The id is the first word after {@code '@'}, as in FASTA.
 *
 * <p>A malformed record is refused on its own ({@link DnaRecordReader.Record#problem()}, one line naming the file and
 * the line) and reading goes on: a header over {@link StreamLimits#maxHeaderBytes()} (held only up to the limit),
 * an id over {@link StreamLimits#maxIdBytes()}, no {@code '+'} line (a line starting with {@code '@'} where one
 * was due starts the next record), qualities of another length than the bases, and lines where a record should
 * start that do not start with {@code '@'} (skipped up to the next {@code '@'} line, reported once).
 */
public final class FastqReader implements DnaRecordReader {

    private final InputStream in;
    private final ByteLines lines;
    private final String name;
    private final StreamLimits limits;
    private final ByteLines.Buf head = new ByteLines.Buf(256);
    private ByteLines.Buf seq = new ByteLines.Buf(1024);
    private int records;

    public FastqReader(InputStream in, String name) {
        this(in, name, StreamLimits.DEFAULTS);
    }

    public FastqReader(InputStream in, String name, StreamLimits limits) {
        this.in = in;
        this.lines = ByteLines.text(in);
        this.name = name;
        this.limits = limits;
    }

    @Override
    public DnaRecordReader.Record next() throws IOException {
        head.clear();
        do {
            head.clear();
            if (!lines.next(head, (long) limits.maxHeaderBytes() + 1)) {
                return null;
            }
        } while (lines.length() == 0);
        long line = lines.lineNumber();
        long headLength = lines.length();
        int at = 0;
        while (at < head.n && (head.a[at] == ' ' || head.a[at] == '\t')) {
            at++;
        }
        if (at >= head.n || head.a[at] != '@') {
            return junk(line);
        }
        int number = ++records;
        String header = new String(head.a, at + 1, head.n - at - 1, StandardCharsets.ISO_8859_1);
        String id = FastaReader.idOf(header, number);
        String problem = null;
        if (headLength - at - 1 > limits.maxHeaderBytes()) {
            id = FastaReader.shortId(header, number);
            problem = String.format(Locale.ROOT, "FASTQ header of %,d bytes at line %,d of %s is over the limit of %,d"
                    + " bytes (max-header-bytes)", headLength - at - 1, line, name, limits.maxHeaderBytes());
        } else if (FastaReader.utf8Length(id) > limits.maxIdBytes()) {
            problem = String.format(Locale.ROOT, "sequence id of %,d bytes at line %,d of %s is over the limit of %,d"
                    + " bytes (max-id-bytes)", FastaReader.utf8Length(id), line, name, limits.maxIdBytes());
            id = FastaReader.shorten(id);
        }
        // the bases, up to the '+' line (kept only while the record is good)
        seq.clear();
        long bases = 0;
        int c;
        while ((c = lines.peek()) >= 0 && c != '+' && c != '@') {
            long room = problem == null ? FastaReader.MAX_BASES - seq.n : 0;
            lines.next(seq, room);
            bases += lines.length();
            if (problem == null && lines.length() > room) {
                problem = String.format(Locale.ROOT, "record '%s' at line %,d of %s is longer than the %,d bases a Java"
                        + " array holds", FastaReader.shorten(id), line, name, FastaReader.MAX_BASES);
            }
        }
        if (c != '+') {
            return refused(number, id, problem != null ? problem : String.format(Locale.ROOT, "record '%s' at line %,d"
                    + " of %s has no '+' line %s", FastaReader.shorten(id), line, name, c < 0
                    ? "before the end of the file" : "before line " + (lines.lineNumber() + 1)
                    + ", which starts the next record"));
        }
        lines.skip(); // the '+' line, which may repeat the header
        long quals = 0;
        while (quals < bases && lines.skip()) {
            quals += lines.length();
        }
        if (problem == null && quals != bases) {
            problem = String.format(Locale.ROOT, "record '%s' at line %,d of %s has %,d bases but %s%,d quality"
                    + " characters (line %,d)", FastaReader.shorten(id), line, name, bases,
                    quals < bases ? "only " : "", quals, lines.lineNumber());
        }
        if (problem != null) {
            return refused(number, id, problem);
        }
        byte[] b = Arrays.copyOf(seq.a, seq.n);
        if (seq.a.length > (16 << 20)) {
            seq = new ByteLines.Buf(1024);
        }
        return new DnaRecordReader.Record(number, id, header.strip(), b);
    }

    private DnaRecordReader.Record refused(int number, String id, String problem) {
        return DnaRecordReader.Record.refused(number, id, problem + "; the record is skipped",
                Arrays.copyOf(head.a, Math.min(head.n, limits.deadLetterBytes())));
    }

    // a line that should start a record does not: skip to the next line that starts with '@'
    private DnaRecordReader.Record junk(long from) throws IOException {
        String preview = FastaReader.preview(head, lines.length());
        byte[] original = Arrays.copyOf(head.a, Math.min(head.n, limits.deadLetterBytes()));
        long to = from;
        int c;
        while ((c = lines.peek()) >= 0 && c != '@') {
            lines.skip();
            to = lines.lineNumber();
        }
        String where = to == from ? "line " + from : "lines " + from + "-" + to;
        return DnaRecordReader.Record.refused(0, "", String.format(Locale.ROOT, "line %,d of %s should start a FASTQ"
                + " record with '@' but %s; %s skipped", from, name, preview, where), original);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
