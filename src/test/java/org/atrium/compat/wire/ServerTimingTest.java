package org.atrium.compat.wire;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code Server-Timing} value: milliseconds with three decimals, rounded half up, never negative. */
class ServerTimingTest {

    @Test
    void durationsAreMillisecondsWithThreeDecimals() {
        assertThat(ServerTiming.header(1_234_567, 5_000))
                .isEqualTo("atrium;dur=1.235;desc=\"Atrium\", upstream;dur=0.005;desc=\"provider\"");
        assertThat(ServerTiming.header(12_345_678_901L, 40_000_000))
                .isEqualTo("atrium;dur=12345.679;desc=\"Atrium\", upstream;dur=40.000;desc=\"provider\"");
        assertThat(ServerTiming.header(0, 99_499))
                .isEqualTo("atrium;dur=0.000;desc=\"Atrium\", upstream;dur=0.099;desc=\"provider\"");
        assertThat(ServerTiming.header(-3, 100_500))
                .isEqualTo("atrium;dur=0.000;desc=\"Atrium\", upstream;dur=0.101;desc=\"provider\"");
    }
}
