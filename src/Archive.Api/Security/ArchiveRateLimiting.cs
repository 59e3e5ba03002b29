using System.Globalization;
using System.Threading.RateLimiting;
using Archive.Api.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Archive.Api.Security;

/// <summary>
/// The rate limiting policy on every Archive endpoint (<c>MapArchive()</c> applies it; the host calls
/// <c>app.UseRateLimiter()</c>, done by <c>app.UseArchiveSecurity()</c>): a fixed window of
/// <see cref="ArchiveApiOptions.RequestsPerMinute"/> requests per client — the authenticated name (API key id or
/// token subject) or, for anonymous callers, the client address. Over the limit: 429 with Retry-After.
/// </summary>
public static class ArchiveRateLimiting
{
    /// <summary>Name of the policy.</summary>
    public const string PolicyName = "archive";

    internal static void AddPolicy(IServiceCollection services)
    {
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(PolicyName, Partition);
            o.OnRejected = async (ctx, cancellationToken) =>
            {
                if (ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                {
                    ctx.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                await TooManyAsync(ctx.HttpContext, "Too many requests from this client; retry later.").ConfigureAwait(false);
            };
        });
    }

    internal static Task TooManyAsync(HttpContext http, string detail, string rule = "rate-limit")
        => ArchiveProblems.Create(StatusCodes.Status429TooManyRequests, "Too many requests", detail, "rate-limit",
            [new Contracts.FieldError { Field = "request", Rule = rule, Message = detail }], http).ExecuteAsync(http);

    private static RateLimitPartition<string> Partition(HttpContext http)
    {
        var perMinute = http.RequestServices.GetRequiredService<IOptionsMonitor<ArchiveApiOptions>>().CurrentValue.RequestsPerMinute;
        if (perMinute <= 0)
        {
            return RateLimitPartition.GetNoLimiter("off");
        }

        var user = http.User;
        var key = user.Identities.Any(i => i.IsAuthenticated)
            ? "u:" + (user.FindFirst(ArchiveClaims.ApiKeyId)?.Value ?? user.FindFirst("sub")?.Value ?? user.Identity?.Name ?? "?")
            : "a:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        return RateLimitPartition.GetFixedWindowLimiter(key + "/" + perMinute.ToString(CultureInfo.InvariantCulture), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }
}
