using System.Globalization;
using Archive.Api;
using Archive.Api.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The request pipeline part of the Archive's security.</summary>
public static class ArchiveSecurityApplicationBuilderExtensions
{
    /// <summary>
    /// Adds, in order: security headers on every response (<c>X-Content-Type-Options: nosniff</c>,
    /// <c>X-Frame-Options: DENY</c>, <c>Referrer-Policy: no-referrer</c>, a strict Content-Security-Policy except under
    /// <see cref="ArchiveApiOptions.PagePaths"/>, where only <c>frame-ancestors 'none'</c> is set); the lockout of client
    /// addresses with too many failed authentications (429 with Retry-After); authentication; the rate limiter; and
    /// authorization. Error answers the framework leaves without a body (401 challenge, 403 forbid, route 404, 405 with
    /// its Allow header) are written as problem details (<c>application/problem+json</c>, archive type and rule) for the
    /// Archive endpoints and for addresses no endpoint matches. Call it after <c>UseExceptionHandler</c> and before mapping endpoints.
    /// </summary>
    /// <param name="app">The application.</param>
    /// <returns>The application.</returns>
    public static IApplicationBuilder UseArchiveSecurity(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(SecurityHeaders);
        app.Use(Archive.Api.Http.FrameworkProblems.WriteBareErrorsAsync);
        if (app.ApplicationServices.GetService<AuthenticationFailureTracker>() is not null)
        {
            app.Use(Lockout);
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
            return Task.CompletedTask;
        });
        return next();
    }

    private static Task Lockout(HttpContext http, Func<Task> next)
    {
        var request = http.Request;
        if (request.Headers.ContainsKey(ArchiveAuthenticationDefaults.ApiKeyHeader) || request.Headers.ContainsKey("Authorization"))
        {
            var tracker = http.RequestServices.GetRequiredService<AuthenticationFailureTracker>();
            if (tracker.IsLockedOut(http.Connection.RemoteIpAddress?.ToString(), out var retryAfter))
            {
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return ArchiveRateLimiting.TooManyAsync(http, "Too many failed authentications from this address; retry later.");
            }
        }

        return next();
    }
}
