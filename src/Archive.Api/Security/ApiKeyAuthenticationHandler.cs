using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Archive.Api.Security;

/// <summary>Authenticates <c>X-Api-Key</c>: looks the key's hash up in configuration and the archive's store.</summary>
internal sealed partial class ApiKeyAuthenticationHandler(
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

        var key = values.Count == 1 ? values[0]?.Trim() : null;
        var check = string.IsNullOrEmpty(key) ? new ApiKeyCheck(ApiKeyStatus.Unknown, null) : await keys.CheckAsync(key, Context.RequestAborted).ConfigureAwait(false);
        if (check is not { Status: ApiKeyStatus.Valid, Record: { } record })
        {
            var client = HttpCaller.ClientAddress(Context);
            failures.RecordFailure(client);
            var reason = check.Status switch
            {
                ApiKeyStatus.Revoked => "revoked API key",
                ApiKeyStatus.Expired => "expired API key",
                ApiKeyStatus.Replaced => "replaced API key (rotated, overlap ended)",
                _ => "unknown API key",
            };
            Log.ApiKeyRefused(Logger, reason, check.Record?.Id, client);
            await ApiAudit.AuthenticationFailedAsync(Context, Scheme.Name, reason, check.Record).ConfigureAwait(false);
            return AuthenticateResult.Fail(char.ToUpperInvariant(reason[0]) + reason[1..] + ".");
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

    private static partial class Log
    {
        [LoggerMessage(EventId = 6100, EventName = "ApiKeyRefused", Level = LogLevel.Information, Message = "API key refused: {Reason} (key id {KeyId}, client {Client}).")]
        public static partial void ApiKeyRefused(ILogger logger, string reason, string? keyId, string? client);
    }
}
