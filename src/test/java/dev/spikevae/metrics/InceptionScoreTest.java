package dev.spikevae.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.spikevae.io.HostArray;
import dev.spikevae.io.HostDoubles;
import dev.spikevae.io.Npz;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Inception Score's splitting and KL against numpy/scipy (tools/make_is_fixture.py wrote the fixture). */
class InceptionScoreTest {

    @ParameterizedTest
    @ValueSource(strings = {"sharp", "flat", "zeros"})
    void matchesScipy(String name) throws Exception {
        Path f = Path.of(getClass().getResource("inception_score_cases.npz").toURI());
        Map<String, HostArray> probs = Npz.read(f);
        Map<String, HostDoubles> d = Npz.readDoubles(f);
        HostArray p = probs.get(name + ".probs");
        int splits = (int) d.get(name + ".splits").data()[0];
        InceptionScore.Result r = InceptionScore.fromProbabilities(p.data(), p.intShape()[0], p.intShape()[1], splits);
        double mean = d.get(name + ".mean").data()[0];
        double std = d.get(name + ".std").data()[0];
        assertEquals(mean, r.mean(), 1e-9 * mean, name);
        assertEquals(std, r.std(), 1e-6 * std + 1e-12, name);
        assertEquals(splits, r.splitScores().length);
    }

    @Test
    void identicalConfidentPredictionsScoreOneAndDistinctOnesScoreTheClassCount() {
        // every row the same one-hot: p(y|x) = p(y), KL 0, score 1; four distinct one-hots in a split: score 4
        float[] same = new float[4 * 4];
        float[] distinct = new float[4 * 4];
        for (int i = 0; i < 4; i++) {
            same[i * 4] = 1;
            distinct[i * 4 + i] = 1;
        }
        assertEquals(1.0, InceptionScore.fromProbabilities(same, 4, 4, 1).mean(), 1e-12);
        assertEquals(4.0, InceptionScore.fromProbabilities(distinct, 4, 4, 1).mean(), 1e-12);
        assertEquals(0.0, InceptionScore.fromProbabilities(distinct, 4, 4, 1).std(), 0);
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> InceptionScore.fromProbabilities(new float[6], 2, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> InceptionScore.fromProbabilities(new float[] {1, 0}, 1, 2, 2));
    }
}
