package org.atrium.chat.presets;

import org.atrium.models.Catalogue;
import org.atrium.models.CatalogueAdditions;
import org.atrium.models.CatalogueModel;
import org.atrium.settings.EffectiveState;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Lists the caller's presets among their models: own and their groups' (not every preset an instance admin may
 * manage), each only while its base model is in the caller's catalogue, as {@code preset:<id>} with the base model's
 * connection, provider model and kind, and the preset's name as display name.
 */
@Component
class PresetModels implements CatalogueAdditions {

    private final PresetService presets;

    PresetModels(PresetService presets) {
        this.presets = presets;
    }

    @Override
    public List<CatalogueModel> additions(EffectiveState state, Catalogue catalogue) {
        Map<String, CatalogueModel> available = catalogue.items().stream()
                .collect(Collectors.toMap(CatalogueModel::id, Function.identity(), (a, b) -> a));
        List<CatalogueModel> listed = new ArrayList<>();
        for (Preset preset : presets.usable(state)) {
            CatalogueModel base = available.get(preset.baseModel());
            if (base != null) {
                listed.add(new CatalogueModel(preset.model(), base.model(), base.connection(), base.connectionId(),
                        base.kind(), preset.name()));
            }
        }
        return listed;
    }
}
