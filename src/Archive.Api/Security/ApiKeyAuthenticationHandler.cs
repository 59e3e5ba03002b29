using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Archive.Api.Security;

/// <summary>Authenticates <c>X-Api-Key</c>: looks the key's hash up in configuration and the archive's store.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore keys,
    AuthenticationFailureTracker failures)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string HeaderName = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values))
        {
            return AuthenticateResult.NoResult();
        }

        var key = values.Count == 1 ? values[0] : null;
        var record = string.IsNullOrWhiteSpace(key) ? null : await keys.FindAsync(key.Trim(), Context.RequestAborted).ConfigureAwait(false);
        if (record is null)
        {
            failures.RecordFailure(HttpCaller.ClientAddress(Context));
            await ApiAudit.AuthenticationFailedAsync(Context, Scheme.Name, "unknown or revoked API key").ConfigureAwait(false);
            return AuthenticateResult.Fail("Unknown or revoked API key.");
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, record.Name),
            new(ClaimTypes.NameIdentifier, "apikey:" + record.Id),
            new(ArchiveClaims.ApiKeyId, record.Id),
        };
        claims.AddRange(record.Roles.Select(r => new Claim(ArchiveClaims.Role, r)));
        claims.AddRange(record.Agencies.Select(a => new Claim(ArchiveClaims.Agency, a)));
        if (record.Clearance == ArchiveClaims.SecretClearance)
        {
            claims.Add(new Claim(ArchiveClaims.Clearance, ArchiveClaims.SecretClearance));
        }

        var identity = new ClaimsIdentity(claims, Scheme.Name, ClaimTypes.Name, ArchiveClaims.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = 401;
        Response.Headers.WWWAuthenticate = "ApiKey header=\"" + HeaderName + "\"";
        return Task.CompletedTask;
    }
}
