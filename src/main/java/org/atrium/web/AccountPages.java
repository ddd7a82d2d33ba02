package org.atrium.web;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.atrium.accounts.AccountService;
import org.atrium.accounts.Caller;
import org.atrium.accounts.Role;
import org.atrium.accounts.SessionCookies;
import org.atrium.accounts.SessionProperties;
import org.atrium.accounts.SignedIn;
import org.atrium.platform.AtriumException;
import org.atrium.platform.SafeDisplayName;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;

import java.util.stream.Collectors;

/**
 * The pages around an account: sign-in, sign-up, waiting for approval, sign-out. They open and close the same
 * session as {@code /api/v1/auth}, with the same cookie, through {@link AccountService}.
 */
@Controller
@Hidden // pages, not API: they stay out of the OpenAPI document
class AccountPages {

    private final AccountService accounts;
    private final SessionProperties sessions;

    AccountPages(AccountService accounts, SessionProperties sessions) {
        this.accounts = accounts;
        this.sessions = sessions;
    }

    /** The sign-in form; the password is never sent back to the page. */
    record SignInForm(@Nullable String email, @Nullable String password) {
    }

    /** The sign-up form, held to the same bounds as {@code POST /api/v1/auth/signup}. */
    record SignUpForm(@NotBlank @Email @Size(max = 320) @Nullable String email,
                      @NotBlank @Size(max = 200) @SafeDisplayName @Nullable String name,
                      @NotBlank @Size(min = 8, max = 72) @Nullable String password) {
    }

    @GetMapping("/")
    String home(@AuthenticationPrincipal @Nullable Caller caller) {
        if (caller == null) {
            return "redirect:/signin";
        }
        return caller.role() == Role.PENDING ? "redirect:/pending" : "redirect:/chats";
    }

    @GetMapping("/signin")
    String signInPage(CsrfToken csrf, Model model) {
        return signInView(model, csrf, "", null);
    }

    @PostMapping("/signin")
    String signIn(@ModelAttribute SignInForm form, CsrfToken csrf, Model model, HttpServletRequest request,
                  HttpServletResponse response) {
        String email = form.email() == null ? "" : form.email().strip();
        if (email.isEmpty() || form.password() == null || form.password().isEmpty()) {
            response.setStatus(400);
            return signInView(model, csrf, email, "Enter your e-mail address and your password.");
        }
        try {
            open(accounts.signIn(email, form.password(), request.getRemoteAddr()), request, response);
            return "redirect:/";
        } catch (AtriumException refused) {
            response.setStatus(refused.status().value());
            return signInView(model, csrf, email, refused.getMessage());
        }
    }

    @GetMapping("/signup")
    String signUpPage(CsrfToken csrf, Model model) {
        return signUpView(model, csrf, "", "", null);
    }

    @PostMapping("/signup")
    String signUp(@Valid @ModelAttribute SignUpForm form, BindingResult invalid, CsrfToken csrf, Model model,
                  HttpServletRequest request, HttpServletResponse response) {
        String email = form.email() == null ? "" : form.email();
        String name = form.name() == null ? "" : form.name();
        if (invalid.hasErrors()) {
            response.setStatus(400);
            String problems = invalid.getFieldErrors().stream()
                    .map(error -> label(error.getField()) + " " + error.getDefaultMessage())
                    .distinct().sorted().collect(Collectors.joining("; "));
            return signUpView(model, csrf, email, name, "Please check the form: " + problems + ".");
        }
        try {
            open(accounts.signUp(email.strip(), name.strip(), form.password()), request, response);
            return "redirect:/";
        } catch (AtriumException refused) {
            response.setStatus(refused.status().value());
            return signUpView(model, csrf, email, name, refused.getMessage());
        }
    }

    @GetMapping("/pending")
    String pending(@AuthenticationPrincipal Caller caller, CsrfToken csrf, Model model) {
        if (caller.role() != Role.PENDING) {
            return "redirect:/";
        }
        model.addAttribute("page", PageContext.of(csrf, caller));
        return "pending";
    }

    @PostMapping("/signout")
    String signOut(@AuthenticationPrincipal Caller caller, HttpServletRequest request, HttpServletResponse response) {
        accounts.signOut(caller);
        response.addHeader(HttpHeaders.SET_COOKIE, SessionCookies.expired(secure(request)).toString());
        return "redirect:/signin";
    }

    private void open(SignedIn signedIn, HttpServletRequest request, HttpServletResponse response) {
        response.addHeader(HttpHeaders.SET_COOKIE,
                SessionCookies.of(signedIn.token(), signedIn.expiresAt(), secure(request)).toString());
    }

    private boolean secure(HttpServletRequest request) {
        return sessions.cookieSecure() || request.isSecure();
    }

    private static String signInView(Model model, CsrfToken csrf, String email, @Nullable String error) {
        model.addAttribute("page", PageContext.of(csrf, null));
        model.addAttribute("email", email);
        model.addAttribute("error", error);
        return "signin";
    }

    private static String signUpView(Model model, CsrfToken csrf, String email, String name, @Nullable String error) {
        model.addAttribute("page", PageContext.of(csrf, null));
        model.addAttribute("email", email);
        model.addAttribute("name", name);
        model.addAttribute("error", error);
        return "signup";
    }

    private static String label(String field) {
        return switch (field) {
            case "email" -> "e-mail address:";
            case "name" -> "name:";
            default -> "password:";
        };
    }
}
