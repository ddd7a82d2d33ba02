package org.atrium.web;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletResponse;
import org.atrium.accounts.Caller;
import org.atrium.accounts.Role;
import org.atrium.settings.EffectiveStateResolver;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.security.web.header.writers.StaticHeadersWriter;

import java.nio.charset.StandardCharsets;

/**
 * The interface's own security chain, ahead of the API's and limited to the interface's paths, so that the API keeps
 * its behaviour exactly. Differences from the API's chain, and why:
 * <ul>
 *   <li>CSRF tokens on every state-changing request to these paths (forms carry {@code _csrf}), kept in a cookie
 *       rather than a server session, so that any replica checks them;</li>
 *   <li>a Content-Security-Policy that lets scripts load only from Atrium itself: no inline script, no
 *       {@code eval}, no other origin, so that a model's answer that slipped past the sanitizer still could not run
 *       or send anything elsewhere;</li>
 *   <li>unauthenticated visitors are sent to the sign-in page, pending accounts to the pending-approval page.</li>
 * </ul>
 * The scripts of the chat page call {@code /api/v1} with the session cookie; those requests are the API chain's, which
 * refuses cookie-authenticated state changes from other sites ({@code SameSite=Lax} and the
 * {@code Sec-Fetch-Site}/{@code Origin} check).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class WebSecurityConfiguration {

    /** The interface's paths: its pages and their static files. */
    static final String[] PATHS = {"/", "/signin", "/signup", "/pending", "/signout", "/chats", "/chats/**",
            "/knowledge", "/knowledge/**", "/settings", "/settings/**", "/groups/**", "/admin", "/admin/**",
            "/assets/**", "/webjars/**", "/favicon.ico"};
    /** Scripts, styles, images and calls only from Atrium; nothing may frame the pages. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self';"
            + " frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
    private static final String PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(),"
            + " display-capture=(), interest-cohort=()";

    @Bean
    @Order(1)
    SecurityFilterChain webInterfaceFilterChain(HttpSecurity http, EffectiveStateResolver resolver)
            throws Exception {
        CookieCsrfTokenRepository csrfTokens = new CookieCsrfTokenRepository();
        csrfTokens.setCookieCustomizer(cookie -> cookie.sameSite("Strict"));
        http.securityMatcher(PATHS)
                .csrf(csrf -> csrf.csrfTokenRepository(csrfTokens))
                .headers(headers -> headers
                        .contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
                        .referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.SAME_ORIGIN))
                        .addHeaderWriter(new StaticHeadersWriter("Permissions-Policy", PERMISSIONS)))
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                // No server sessions; and no session management filter, whose CSRF strategy would replace the
                // token on every cookie-authenticated request (the page's own scripts and styles included), so that
                // the token a page was drawn with would be stale before its form is sent.
                .sessionManagement(AbstractHttpConfigurer::disable)
                .addFilterBefore(new SessionCookieFilter(resolver), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(rules -> rules
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
                        .requestMatchers("/assets/**", "/webjars/**", "/favicon.ico").permitAll()
                        .requestMatchers("/", "/signin", "/signup").permitAll()
                        .requestMatchers("/pending", "/signout").authenticated()
                        .requestMatchers("/admin", "/admin/**").hasRole(Role.ADMIN.name())
                        .anyRequest().hasAnyRole(Role.USER.name(), Role.ADMIN.name()))
                .exceptionHandling(errors -> errors
                        .authenticationEntryPoint(new LoginUrlAuthenticationEntryPoint("/signin"))
                        .accessDeniedHandler((request, response, denied) -> {
                            if (denied instanceof CsrfException) {
                                refuse(response, "This form has expired or did not come from Atrium."
                                        + " Go back, reload the page and try again.");
                            } else if (isPending(SecurityContextHolder.getContext().getAuthentication())) {
                                response.sendRedirect("/pending");
                            } else {
                                refuse(response, "You are not allowed to open this page.");
                            }
                        }));
        return http.build();
    }

    private static void refuse(HttpServletResponse response, String message) throws java.io.IOException {
        response.setStatus(HttpServletResponse.SC_FORBIDDEN);
        response.setContentType(MediaType.TEXT_PLAIN_VALUE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(message);
    }

    private static boolean isPending(Authentication authentication) {
        return authentication != null && authentication.getPrincipal() instanceof Caller caller
                && caller.role() == Role.PENDING;
    }
}
