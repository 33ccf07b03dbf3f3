package dev.spikevae.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checks every model type shares: image sizes, and settings or configurations of another type refused by name. */
class TypedModelTypeTest {
    @Test
    void everyTypeTakesOnlyTheSmallAndTheLargeImageSize() {
        for (String name : Models.names()) {
            ModelType type = Models.get(name);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> type.configure(type.defaultSettings(), 1, 28), name);
            assertTrue(e.getMessage().contains("takes 32×32 or 64×64 images (the data gives 28×28)"), e.getMessage());
            for (int size : new int[] {32, 64}) {
                ModelConfig config = type.configure(type.defaultSettings(), 3, size);
                assertEquals(name, config.type(), name);
                assertEquals(type.defaultSettings(), type.settingsOf(config), name + ": settingsOf gives the settings back");
            }
        }
    }

    @Test
    void settingsAndConfigurationsOfAnotherTypeAreRefusedNamingTheType() {
        ModelType esvae = Models.get("esvae");
        ModelType fsvae = Models.get("fsvae");
        IllegalArgumentException settings = assertThrows(IllegalArgumentException.class,
                () -> esvae.validate(fsvae.defaultSettings()));
        assertTrue(settings.getMessage().startsWith("esvae: expected settings of ESVAE, got FsvaeSettings"),
                settings.getMessage());
        ModelConfig fsvaeConfig = fsvae.configure(fsvae.defaultSettings(), 1, 32);
        IllegalArgumentException config = assertThrows(IllegalArgumentException.class, () -> esvae.settingsOf(fsvaeConfig));
        assertEquals("esvae: expected a configuration of ESVAE, got a fsvae one", config.getMessage());
    }
}
