package io.longseq.stream;

import io.longseq.stream.assemble.Chunk;
import io.longseq.stream.global.BlockContext;
import io.longseq.stream.global.TokenContext;
import io.longseq.stream.input.SequenceFragment;
import io.longseq.stream.input.TokenFragment;
import io.longseq.stream.local.ChunkSummary;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.OutputTag;

/**
 * The type information of every record between operators, stated explicitly (docs/design.md 3: nothing falls back to
 * Kryo; see the Kryo trap in docs/platform-notes.md), and the side-output tags.
 *
 * <p>{@link Types#POJO(Class)} fails at job-build time if a class stops being a valid POJO, instead of quietly
 * becoming a generic type.
 */
public final class StreamTypes {

    public static final TypeInformation<SequenceFragment> FRAGMENT = Types.POJO(SequenceFragment.class);
    public static final TypeInformation<TokenFragment> TOKEN_FRAGMENT = Types.POJO(TokenFragment.class);
    public static final TypeInformation<Chunk> CHUNK = Types.POJO(Chunk.class);
    public static final TypeInformation<ChunkSummary> CHUNK_SUMMARY = Types.POJO(ChunkSummary.class);
    public static final TypeInformation<BlockContext> BLOCK_CONTEXT = Types.POJO(BlockContext.class);
    public static final TypeInformation<TokenContext> TOKEN_CONTEXT = Types.POJO(TokenContext.class);
    public static final TypeInformation<DeadLetter> DEAD_LETTER = Types.POJO(DeadLetter.class);
    public static final TypeInformation<Notice> NOTICE = Types.POJO(Notice.class);

    /** Records refused by validate or assemble. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters", DEAD_LETTER);
    /** Per-sequence notices from assemble. */
    public static final OutputTag<Notice> NOTICES = new OutputTag<>("notices", NOTICE);
    /** Per-token contexts from global-context, when on. */
    public static final OutputTag<TokenContext> TOKEN_CONTEXTS = new OutputTag<>("token-contexts", TOKEN_CONTEXT);

    private StreamTypes() {}
}
