package io.longseq.jobs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads FASTQ records: {@code @id description}, the bases (one or more lines), a {@code +} line, then quality
 * lines until they hold as many characters as there are bases. Qualities are checked for length only and then
 * dropped: the model reads bases. The id is the first word after {@code '@'}, as in FASTA.
 *
 * <p>Errors ({@link FastaReader.FormatException}, naming the file and line): a record that does not start with
 * {@code '@'}, a missing {@code '+'} line, or qualities of another length than the bases.
 */
public final class FastqReader implements DnaRecordReader {

    private final BufferedReader in;
    private final String name;
    private long lineNumber;
    private int records;
    private String pending;

    public FastqReader(InputStream in, String name) {
        this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1), 1 << 16);
        this.name = name;
    }

    @Override
    public FastaReader.Record next() throws IOException {
        String header = pending != null ? pending : nextNonBlank();
        pending = null;
        if (header == null) {
            return null;
        }
        if (!header.startsWith("@")) {
            throw new FastaReader.FormatException(name + ": line " + lineNumber + " should start a FASTQ record with"
                    + " '@' but starts with \"" + shorten(header) + "\"");
        }
        int number = ++records;
        String id = FastaReader.idOf(header.substring(1), number);
        StringBuilder bases = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            lineNumber++;
            line = line.strip();
            if (line.startsWith("+")) {
                break;
            }
            bases.append(line);
        }
        if (line == null) {
            throw new FastaReader.FormatException(name + ": record '" + id + "' has no '+' line before the end");
        }
        long quals = 0;
        while (quals < bases.length() && (line = in.readLine()) != null) {
            lineNumber++;
            quals += line.strip().length();
        }
        if (quals != bases.length()) {
            throw new FastaReader.FormatException(name + ": record '" + id + "' has " + bases.length() + " bases but "
                    + quals + " quality characters (line " + lineNumber + ")");
        }
        return new FastaReader.Record(number, id, header.substring(1).strip(),
                bases.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private String nextNonBlank() throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            lineNumber++;
            if (!line.isBlank()) {
                return line.strip();
            }
        }
        return null;
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
