package io.longseq.schemas;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;

/**
 * The compatibility rule of README.md, as far as Avro's own check does not cover it: Avro accepts a removed field
 * that had a default and reordered enum symbols, the rule does not.
 * <ul>
 *   <li>never remove or rename a field (every field of the previous version is still there by name);</li>
 *   <li>a new field has a default;</li>
 *   <li>enum symbols are only appended (the previous symbols are a prefix of the current ones), and every enum has
 *       a default;</li>
 *   <li>every record, field and enum is documented.</li>
 * </ul>
 */
final class EvolutionRules {

    private EvolutionRules() {}

    /** Rule violations of {@code current} as the successor of {@code previous}; empty when it follows the rule. */
    static List<String> violations(Schema previous, Schema current) {
        List<String> out = new ArrayList<>();
        compare(previous, current, current.getFullName(), out, new HashSet<>());
        ownRules(current, current.getFullName(), out, new HashSet<>());
        return out;
    }

    private static void compare(Schema prev, Schema cur, String path, List<String> out, Set<String> seen) {
        if (prev.getType() != cur.getType()) {
            return;   // a type change is Avro's SchemaCompatibility's business (promotions are legal there)
        }
        switch (cur.getType()) {
            case RECORD -> {
                if (!seen.add(cur.getFullName())) {
                    return;
                }
                for (Schema.Field f : prev.getFields()) {
                    Schema.Field now = cur.getField(f.name());
                    if (now == null) {
                        out.add(path + "." + f.name() + ": field removed or renamed");
                    } else {
                        compare(f.schema(), now.schema(), path + "." + f.name(), out, seen);
                    }
                }
                for (Schema.Field f : cur.getFields()) {
                    if (prev.getField(f.name()) == null && !f.hasDefaultValue()) {
                        out.add(path + "." + f.name() + ": new field has no default");
                    }
                }
            }
            case ENUM -> {
                List<String> before = prev.getEnumSymbols();
                List<String> now = cur.getEnumSymbols();
                if (now.size() < before.size() || !now.subList(0, before.size()).equals(before)) {
                    out.add(path + ": enum symbols " + before + " -> " + now + " (symbols may only be appended)");
                }
            }
            case ARRAY -> compare(prev.getElementType(), cur.getElementType(), path + "[]", out, seen);
            case MAP -> compare(prev.getValueType(), cur.getValueType(), path + "{}", out, seen);
            case UNION -> {
                for (Schema c : cur.getTypes()) {
                    for (Schema p : prev.getTypes()) {
                        if (p.getType() == c.getType() && p.getName().equals(c.getName())) {
                            compare(p, c, path + "|" + c.getName(), out, seen);
                        }
                    }
                }
            }
            default -> { }
        }
    }

    private static void ownRules(Schema s, String path, List<String> out, Set<String> seen) {
        switch (s.getType()) {
            case RECORD -> {
                if (!seen.add(s.getFullName())) {
                    return;
                }
                if (blank(s.getDoc())) {
                    out.add(path + ": record " + s.getName() + " has no doc");
                }
                for (Schema.Field f : s.getFields()) {
                    if (blank(f.doc())) {
                        out.add(path + "." + f.name() + ": field has no doc");
                    }
                    ownRules(f.schema(), path + "." + f.name(), out, seen);
                }
            }
            case ENUM -> {
                if (blank(s.getDoc())) {
                    out.add(path + ": enum " + s.getName() + " has no doc");
                }
                if (s.getEnumDefault() == null) {
                    out.add(path + ": enum " + s.getName() + " has no default (an older reader could not read an"
                            + " appended symbol)");
                }
            }
            case ARRAY -> ownRules(s.getElementType(), path + "[]", out, seen);
            case MAP -> ownRules(s.getValueType(), path + "{}", out, seen);
            case UNION -> s.getTypes().forEach(t -> ownRules(t, path + "|" + t.getName(), out, seen));
            default -> { }
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
