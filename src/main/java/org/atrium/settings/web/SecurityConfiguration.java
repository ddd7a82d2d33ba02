package org.atrium.settings.web;

import jakarta.servlet.DispatcherType;
import org.atrium.accounts.Caller;
import org.atrium.accounts.Role;
import org.atrium.platform.Problems;
import org.atrium.settings.EffectiveStateResolver;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.security.web.header.writers.StaticHeadersWriter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;

/**
 * HTTP security: stateless, one authentication filter, and three coarse rules; finer rules (instance admin, group
 * admin, owner) are enforced by the facades so that every adapter gets them.
 *
 * <ul>
 *   <li>Public: sign-up, sign-in, health, the OpenAPI document and its browser.</li>
 *   <li>Any signed-in account, pending ones included: reading the current account and signing out.</li>
 *   <li>Everything else under {@code /api}: approved accounts ({@code user} or {@code admin}); a pending account gets
 *       403 {@code account_pending}.</li>
 * </ul>
 * The full per-endpoint table is in {@code docs/authorization.md}.
 *
 * <p>CSRF tokens are not used: browsers authenticate with a {@code SameSite=Lax} cookie, which they do not send on
 * cross-site POST, PUT, PATCH or DELETE, and scripts use headers, which other sites cannot set. Sibling subdomains
 * count as the same site for {@code SameSite}, so cookie-authenticated state changes are also checked against
 * {@code Sec-Fetch-Site} and {@code Origin} ({@link CrossSiteRequests}).
 *
 * <p>Every response carries {@code Content-Security-Policy} (nothing may load or run, except Swagger UI's own
 * resources on its pages), {@code Referrer-Policy: no-referrer} and a {@code Permissions-Policy} that grants no
 * feature. {@code /actuator/prometheus} needs {@code atrium.metrics.token} ({@link MetricsTokenFilter}).
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
@ConditionalOnWebApplication
class SecurityConfiguration {

    /** API endpoints anyone may call (both are POST). */
    static final Set<String> PUBLIC_API = Set.of("/api/v1/auth/signup", "/api/v1/auth/signin");
    private static final String ME = "/api/v1/auth/me";
    private static final String SIGN_OUT = "/api/v1/auth/signout";
    /** API endpoints a pending account may call. */
    static final Set<String> OPEN_TO_PENDING = Set.of(ME, SIGN_OUT);

    private static final String CONTENT_SECURITY_POLICY = "Content-Security-Policy";
    private static final String PERMISSIONS_POLICY = "Permissions-Policy";
    /** No feature is used by an API; the web interface will grant its own. */
    private static final String PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(),"
            + " display-capture=(), interest-cohort=()";
    /** JSON and problem details: nothing in them may load, run, be framed or submit anywhere. */
    private static final String API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none';"
            + " form-action 'none'";
    /** Swagger UI: its own scripts and styles (it sets inline styles), images as data URIs, calls to this origin. */
    private static final String DOCUMENTATION_CSP = "default-src 'self'; script-src 'self';"
            + " style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self';"
            + " frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
    private static final RequestMatcher API_DOCUMENTATION = new OrRequestMatcher(
            PathPatternRequestMatcher.withDefaults().matcher("/swagger-ui/**"),
            PathPatternRequestMatcher.withDefaults().matcher("/swagger-ui.html"));

    /**
     * No observation per security filter and authorization decision: Spring Security would otherwise start and stop
     * one for each of the dozen filters of every request, which took about a sixth of the request threads' CPU on
     * the gateway's hot path (docs/benchmarks.md). Requests stay observed as a whole ({@code http.server.requests}).
     */
    @Bean
    static SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http, EffectiveStateResolver resolver,
                                            @Value("${atrium.metrics.token:}") String metricsToken,
                                            @Value("${atrium.public-url:}") String publicUrl) throws Exception {
        CrossSiteRequests crossSite = new CrossSiteRequests(publicOrigin(publicUrl));
        http.csrf(AbstractHttpConfigurer::disable)
                .headers(headers -> headers
                        .referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.NO_REFERRER))
                        .addHeaderWriter(new StaticHeadersWriter(PERMISSIONS_POLICY, PERMISSIONS))
                        .addHeaderWriter((request, response) -> {
                            // A response may bring its own (file downloads do); otherwise the one for its path.
                            if (!response.containsHeader(CONTENT_SECURITY_POLICY)) {
                                response.setHeader(CONTENT_SECURITY_POLICY,
                                        API_DOCUMENTATION.matches(request) ? DOCUMENTATION_CSP : API_CSP);
                            }
                        }))
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new MetricsTokenFilter(metricsToken), AnonymousAuthenticationFilter.class)
                .addFilterBefore(new CredentialAuthenticationFilter(resolver, crossSite),
                        AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(rules -> rules
                        // The request was authorised when it arrived; these dispatches only finish its response.
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
                        .requestMatchers(HttpMethod.POST, PUBLIC_API.toArray(String[]::new)).permitAll()
                        .requestMatchers("/actuator/health/**", "/actuator/health", "/actuator/info").permitAll()
                        // MetricsTokenFilter has checked the token.
                        .requestMatchers(MetricsTokenFilter.PATH).permitAll()
                        .requestMatchers("/v3/api-docs/**", "/v3/api-docs", "/swagger-ui/**", "/swagger-ui.html")
                        .permitAll()
                        .requestMatchers("/error").permitAll()
                        .requestMatchers(HttpMethod.GET, ME).authenticated()
                        .requestMatchers(HttpMethod.POST, SIGN_OUT).authenticated()
                        .requestMatchers("/api/**").hasAnyRole(Role.USER.name(), Role.ADMIN.name())
                        // The OpenAI-compatible API and Open WebUI's Ollama proxy (module compat).
                        .requestMatchers("/v1/**", "/ollama/**").hasAnyRole(Role.USER.name(), Role.ADMIN.name())
                        .anyRequest().denyAll())
                .exceptionHandling(errors -> errors
                        .authenticationEntryPoint((request, response, failure) -> Problems.write(response,
                                HttpStatus.UNAUTHORIZED, "unauthenticated",
                                "Sign in, or send an API key as 'Authorization: Bearer <key>' or 'x-api-key'."))
                        .accessDeniedHandler((request, response, failure) -> {
                            if (isPending(SecurityContextHolder.getContext().getAuthentication())) {
                                Problems.write(response, HttpStatus.FORBIDDEN, "account_pending",
                                        "Your account is waiting for an admin's approval.");
                            } else {
                                Problems.write(response, HttpStatus.FORBIDDEN, "forbidden",
                                        "You are not allowed to do this.");
                            }
                        }));
        return http.build();
    }

    /** URLs that Spring Security's firewall rejects (encoded dots, path parameters, double slashes). */
    @Bean
    RequestRejectedHandler requestRejectedHandler() {
        return (request, response, rejection) -> Problems.write(response, HttpStatus.BAD_REQUEST, "bad_request",
                "The request URL is not acceptable.");
    }

    /** Fails at startup, naming the variable, rather than refusing every browser's request later. */
    private static @Nullable URI publicOrigin(String publicUrl) {
        if (publicUrl.isBlank()) {
            return null;
        }
        try {
            URI url = new URI(publicUrl.strip());
            if (url.getScheme() != null && url.getHost() != null) {
                return url;
            }
        } catch (URISyntaxException invalid) {
            // reported below
        }
        throw new IllegalStateException("atrium.public-url (ATRIUM_PUBLIC_URL) must be an absolute URL such as"
                + " https://atrium.example.org, not '" + publicUrl + "'");
    }

    private static boolean isPending(Authentication authentication) {
        return authentication != null && authentication.getPrincipal() instanceof Caller caller
                && caller.role() == Role.PENDING;
    }
}
