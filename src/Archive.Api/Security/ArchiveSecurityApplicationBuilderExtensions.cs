using System.Globalization;
using Archive.Api;
using Archive.Api.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The request pipeline part of the Archive's security.</summary>
public static class ArchiveSecurityApplicationBuilderExtensions
{
    /// <summary>
    /// Adds, in order: forwarded headers (<c>X-Forwarded-For</c>, <c>X-Forwarded-Proto</c>) when
    /// <see cref="ArchiveApiOptions.TrustedProxies"/> or <see cref="ArchiveApiOptions.TrustedNetworks"/> are configured —
    /// honoured only from those peers, so the client address used by throttling, rate limiting and audit is the
    /// forwarded one only behind a trusted proxy; security headers on every response (<c>X-Content-Type-Options: nosniff</c>,
    /// <c>X-Frame-Options: DENY</c>, <c>Referrer-Policy: no-referrer</c>, <c>Cache-Control: no-store</c> where the endpoint sets none, a strict Content-Security-Policy except under
    /// <see cref="ArchiveApiOptions.PagePaths"/>, where only <c>frame-ancestors 'none'</c> is set); the throttling of
    /// failing authentications from addresses with too many (429 with Retry-After, valid credentials still accepted);
    /// authentication; the rate limiter; and authorization. Error answers the framework leaves without a body (401
    /// challenge, 403 forbid, route 404, 405 with its Allow header) are written as problem details
    /// (<c>application/problem+json</c>, archive type and rule) for the Archive endpoints and for addresses no endpoint
    /// matches. Call it after <c>UseExceptionHandler</c> and before mapping endpoints (a host that applies forwarded
    /// headers itself leaves the trusted lists empty).
    /// </summary>
    /// <param name="app">The application.</param>
    /// <returns>The application.</returns>
    public static IApplicationBuilder UseArchiveSecurity(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ApplicationServices.GetService<IOptions<ArchiveApiOptions>>()?.Value is { } api && api.UsesForwardedHeaders)
        {
            app.UseForwardedHeaders();
        }

        app.Use(SecurityHeaders);
        app.Use(Archive.Api.Http.FrameworkProblems.WriteBareErrorsAsync);
        if (app.ApplicationServices.GetService<AuthenticationFailureTracker>() is not null)
        {
            app.Use(Throttle);
        }

        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    private static Task SecurityHeaders(HttpContext http, Func<Task> next)
    {
        var options = http.RequestServices.GetService<IOptions<ArchiveApiOptions>>()?.Value ?? new ArchiveApiOptions();
        var path = http.Request.Path;
        var page = options.PagePaths.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            if (!headers.ContainsKey("X-Frame-Options"))
            {
                headers.XFrameOptions = "DENY";
            }

            if (!headers.ContainsKey("Referrer-Policy"))
            {
                headers["Referrer-Policy"] = "no-referrer";
            }

            if (!headers.ContainsKey("Content-Security-Policy"))
            {
                headers.ContentSecurityPolicy = page ? "frame-ancestors 'none'" : "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
            }

            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            if (!page && !headers.ContainsKey("Cache-Control"))
            {
                // Records, their metadata and search results are not stored by browsers or shared caches unless the
                // endpoint says otherwise (content downloads: private, revalidated with their ETag).
                headers.CacheControl = "no-store";
            }
            return Task.CompletedTask;
        });
        return next();
    }

    private static async Task Throttle(HttpContext http, Func<Task> next)
    {
        var request = http.Request;
        var apiKey = request.Headers.ContainsKey(ArchiveAuthenticationDefaults.ApiKeyHeader);
        if (apiKey || request.Headers.ContainsKey("Authorization"))
        {
            var tracker = http.RequestServices.GetRequiredService<AuthenticationFailureTracker>();
            if (tracker.IsThrottled(HttpCaller.ClientAddress(http), out var retryAfter) && !await MayBeValidAsync(http, apiKey).ConfigureAwait(false))
            {
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await ArchiveRateLimiting.TooManyAsync(http, "Too many failed authentications from this address; retry later.", "authentication.throttled").ConfigureAwait(false);
                return;
            }
        }

        await next().ConfigureAwait(false);
    }

    /// <summary>
    /// For a throttled address: whether the request's credential deserves a full check. An API key only when this
    /// process knows its hash (from memory: no key record is read for a guess); a bearer token when it validates
    /// (signature and claims, no storage), its failure then counted and logged but not audited.
    /// </summary>
    private static async ValueTask<bool> MayBeValidAsync(HttpContext http, bool apiKey)
    {
        if (apiKey)
        {
            var values = http.Request.Headers[ArchiveAuthenticationDefaults.ApiKeyHeader];
            return values.Count == 1 && !string.IsNullOrWhiteSpace(values[0])
                && http.RequestServices.GetService<ApiKeyStore>() is { } store
                && await store.IsKnownAsync(values[0]!.Trim(), http.RequestAborted).ConfigureAwait(false);
        }

        http.Items[AuthenticationFailureTracker.ThrottledItem] = true;
        var result = await http.AuthenticateAsync().ConfigureAwait(false);
        return result.Succeeded;
    }
}
