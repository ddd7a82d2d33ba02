package org.atrium.settings.web;

import jakarta.servlet.DispatcherType;
import org.atrium.accounts.Caller;
import org.atrium.accounts.Role;
import org.atrium.platform.Problems;
import org.atrium.settings.EffectiveStateResolver;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;

import java.util.Set;

/**
 * HTTP security: stateless, one authentication filter, and three coarse rules; finer rules (instance admin, group
 * admin, owner) are enforced by the facades so that every adapter gets them.
 *
 * <ul>
 *   <li>Public: sign-up, sign-in, health, metrics, the OpenAPI document and its browser.</li>
 *   <li>Any signed-in account, pending ones included: reading the current account and signing out.</li>
 *   <li>Everything else under {@code /api}: approved accounts ({@code user} or {@code admin}); a pending account gets
 *       403 {@code account_pending}.</li>
 * </ul>
 * The full per-endpoint table is in {@code docs/authorization.md}.
 *
 * <p>CSRF tokens are not used: browsers authenticate with a {@code SameSite=Lax} cookie, which they do not send on
 * cross-site POST, PUT, PATCH or DELETE, and scripts use headers, which other sites cannot set.
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

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http, EffectiveStateResolver resolver) throws Exception {
        http.csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new CredentialAuthenticationFilter(resolver), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(rules -> rules
                        // The request was authorised when it arrived; these dispatches only finish its response.
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
                        .requestMatchers(HttpMethod.POST, PUBLIC_API.toArray(String[]::new)).permitAll()
                        .requestMatchers("/actuator/health/**", "/actuator/health", "/actuator/prometheus",
                                "/actuator/info").permitAll()
                        .requestMatchers("/v3/api-docs/**", "/v3/api-docs", "/swagger-ui/**", "/swagger-ui.html")
                        .permitAll()
                        .requestMatchers("/error").permitAll()
                        .requestMatchers(HttpMethod.GET, ME).authenticated()
                        .requestMatchers(HttpMethod.POST, SIGN_OUT).authenticated()
                        .requestMatchers("/api/**").hasAnyRole(Role.USER.name(), Role.ADMIN.name())
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

    private static boolean isPending(Authentication authentication) {
        return authentication != null && authentication.getPrincipal() instanceof Caller caller
                && caller.role() == Role.PENDING;
    }
}
