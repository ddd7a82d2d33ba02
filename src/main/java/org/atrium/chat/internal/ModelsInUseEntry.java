package org.atrium.chat.internal;

import org.atrium.chat.ModelsInUseView;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * One streaming answer: which replica streams it with which model. Encoded as one Redis sorted-set member,
 * {@code replica US connection US messageId US model} (US: the unit separator), the model last so that nothing it
 * contains can shift the other fields.
 */
record ModelsInUseEntry(String replica, String connection, UUID messageId, String model) {

    private static final char SEPARATOR = '\u001f';

    String encode() {
        return replica + SEPARATOR + connection + SEPARATOR + messageId + SEPARATOR + model;
    }

    static Optional<ModelsInUseEntry> decode(String member) {
        String[] parts = member.split(String.valueOf(SEPARATOR), 4);
        if (parts.length != 4) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ModelsInUseEntry(parts[0], parts[1], UUID.fromString(parts[2]), parts[3]));
        } catch (IllegalArgumentException notOurs) {
            return Optional.empty();
        }
    }

    /** Counts entries by model and connection, most streams first. */
    static ModelsInUseView view(Collection<ModelsInUseEntry> entries, boolean partial, Instant at) {
        record Model(String model, String connection) {
        }
        Map<Model, List<ModelsInUseEntry>> byModel = new TreeMap<>(
                Comparator.comparing(Model::model).thenComparing(Model::connection));
        for (ModelsInUseEntry entry : entries) {
            byModel.computeIfAbsent(new Model(entry.model(), entry.connection()), key -> new ArrayList<>()).add(entry);
        }
        List<ModelsInUseView.Model> models = new ArrayList<>();
        byModel.forEach((model, streams) -> models.add(new ModelsInUseView.Model(model.model(), model.connection(),
                streams.size(), List.copyOf(new TreeSet<>(streams.stream().map(ModelsInUseEntry::replica).toList())))));
        models.sort(Comparator.comparingInt(ModelsInUseView.Model::streams).reversed());
        return new ModelsInUseView(models, entries.size(), partial, at);
    }
}
