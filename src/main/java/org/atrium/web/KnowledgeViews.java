package org.atrium.web;

import org.atrium.accounts.AccessProfile;
import org.atrium.knowledge.CollectionFile;
import org.atrium.knowledge.CollectionGrant;
import org.atrium.knowledge.FileCounts;

import java.util.List;
import java.util.Locale;

/**
 * The words the knowledge pages show for sizes, ingestion statuses and grants. {@code knowledge.js} says the same for
 * the statuses that arrive live ({@code describe} there), so that a page drawn anew reads like the one kept current.
 */
public final class KnowledgeViews {

    private KnowledgeViews() {
    }

    /**
     * @param file a file of a collection
     * @return where its ingestion stands: "Queued", "Extracting text", "Embedding 3 of 12", "Ready (12 passages)",
     *         "Failed: why"
     */
    public static String status(CollectionFile file) {
        return switch (file.status()) {
            case QUEUED -> "Queued";
            case EXTRACTING -> "Extracting text";
            case EMBEDDING -> file.chunksTotal() == null ? "Embedding"
                    : "Embedding " + file.chunksDone() + " of " + file.chunksTotal();
            case READY -> file.chunksTotal() == null ? "Ready"
                    : "Ready (" + passages(file.chunksTotal()) + ")";
            case FAILED -> "Failed: " + (file.failureReason() == null ? file.failureCode() : file.failureReason());
        };
    }

    /**
     * @param counts a collection's files by status
     * @return "3 files: 2 ready, 1 queued"
     */
    public static String counts(FileCounts counts) {
        StringBuilder words = new StringBuilder(counts.total() == 1 ? "1 file" : counts.total() + " files");
        if (counts.total() == 0) {
            return words.toString();
        }
        words.append(": ").append(counts.ready()).append(" ready");
        if (counts.queued() + counts.running() > 0) {
            words.append(", ").append(counts.queued() + counts.running()).append(" in progress");
        }
        if (counts.failed() > 0) {
            words.append(", ").append(counts.failed()).append(" failed");
        }
        return words.toString();
    }

    /**
     * @param bytes a size
     * @return it for people: "812 B", "4.2 KB", "13.0 MB"
     */
    public static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        String[] units = {"KB", "MB", "GB"};
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /**
     * @param grant  a grant of a collection
     * @param groups the caller's groups, whose names the caller knows
     * @return who it is for: "Group Research", "a group", "a user"
     */
    public static String grantee(CollectionGrant grant, List<AccessProfile.Membership> groups) {
        if (grant.groupId() == null) {
            return "A user";
        }
        return groups.stream().filter(m -> m.groupId().equals(grant.groupId())).map(m -> "Group " + m.groupName())
                .findFirst().orElse("A group");
    }

    private static String passages(int count) {
        return count == 1 ? "1 passage" : count + " passages";
    }
}
