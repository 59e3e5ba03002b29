using System.Security.Cryptography;
using Archive.Api.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Scheme names registered by <c>AddArchiveAuthentication</c>.</summary>
public static class ArchiveAuthenticationDefaults
{
    /// <summary>The default scheme: forwards to <see cref="ApiKeyScheme"/> when the request has <c>X-Api-Key</c>, else to <see cref="BearerScheme"/>.</summary>
    public const string Scheme = "Archive";

    /// <summary>API key scheme (header <c>X-Api-Key</c>).</summary>
    public const string ApiKeyScheme = "ApiKey";

    /// <summary>JWT bearer scheme.</summary>
    public const string BearerScheme = JwtBearerDefaults.AuthenticationScheme;

    /// <summary>The API key header.</summary>
    public const string ApiKeyHeader = "X-Api-Key";
}

/// <summary>Registers the Archive's own authentication (a host with its own scheme skips this and maps its principal to the Archive claims instead).</summary>
public static class ArchiveAuthenticationServiceCollectionExtensions
{
    /// <summary>
    /// Registers authentication as the default scheme <see cref="ArchiveAuthenticationDefaults.Scheme"/>: API keys
    /// (<c>X-Api-Key</c>; hashed, in the archive's store via <see cref="ApiKeyStore"/> and in configuration) and JWT
    /// bearer tokens (<c>Archive:Auth:Jwt:*</c>: Authority, or Issuer + SigningKeys; Audience). Failed
    /// authentications are audited and counted per client address (<see cref="AuthenticationFailureTracker"/>;
    /// an address over the limit gets 429 for its failing attempts through <c>app.UseArchiveSecurity()</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">Configuration holding the <c>Archive:Auth</c> section (may be null: options only from <paramref name="configure"/>).</param>
    /// <param name="configure">Optional further settings.</param>
    /// <returns>The authentication builder, to add more schemes.</returns>
    public static AuthenticationBuilder AddArchiveAuthentication(this IServiceCollection services, IConfiguration? configuration, Action<ArchiveAuthOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptionsWithValidateOnStart<ArchiveAuthOptions, ArchiveAuthOptionsValidator>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(ArchiveAuthOptions.SectionName));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ApiKeyStore>();
        services.TryAddSingleton<AuthenticationFailureTracker>();

        services.AddOptions<JwtBearerOptions>(ArchiveAuthenticationDefaults.BearerScheme)
            .Configure<IOptionsMonitor<ArchiveAuthOptions>>((o, auth) => ConfigureJwt(o, auth.CurrentValue.Jwt));

        var builder = services.AddAuthentication(o =>
        {
            o.DefaultScheme = ArchiveAuthenticationDefaults.Scheme;
            o.DefaultChallengeScheme = ArchiveAuthenticationDefaults.Scheme;
        });
        builder.AddPolicyScheme(ArchiveAuthenticationDefaults.Scheme, "Archive API key or bearer token", o =>
            o.ForwardDefaultSelector = ctx => ctx.Request.Headers.ContainsKey(ArchiveAuthenticationDefaults.ApiKeyHeader)
                ? ArchiveAuthenticationDefaults.ApiKeyScheme
                : ArchiveAuthenticationDefaults.BearerScheme);
        builder.AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ArchiveAuthenticationDefaults.ApiKeyScheme, "API key", _ => { });
        builder.AddJwtBearer(ArchiveAuthenticationDefaults.BearerScheme, _ => { });
        return builder;
    }

    private static void ConfigureJwt(JwtBearerOptions o, ArchiveJwtOptions jwt)
    {
        o.MapInboundClaims = false;
        o.IncludeErrorDetails = false;
        if (!string.IsNullOrWhiteSpace(jwt.Authority))
        {
            o.Authority = jwt.Authority;
            o.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
        }

        o.Audience = jwt.Audience;
        var keys = jwt.SigningKeys.Where(k => !string.IsNullOrWhiteSpace(k)).Select(TryLoadKey).OfType<SecurityKey>().ToList();
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = !string.IsNullOrWhiteSpace(jwt.Issuer) || !string.IsNullOrWhiteSpace(jwt.Authority),
            ValidIssuer = string.IsNullOrWhiteSpace(jwt.Issuer) ? null : jwt.Issuer,
            ValidateAudience = true,
            ValidAudience = jwt.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            IssuerSigningKeys = keys,
            ClockSkew = jwt.ClockSkew,
            NameClaimType = "name",
            RoleClaimType = ArchiveClaims.Role,
        };
        o.Events = new JwtBearerEvents
        {
            OnAuthenticationFailed = async ctx =>
            {
                ctx.HttpContext.RequestServices.GetService<AuthenticationFailureTracker>()?.RecordFailure(HttpCaller.ClientAddress(ctx.HttpContext));
                var reason = ctx.Exception switch
                {
                    SecurityTokenExpiredException => "expired token",
                    SecurityTokenInvalidAudienceException => "wrong audience",
                    SecurityTokenInvalidIssuerException => "wrong issuer",
                    SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "bad signature",
                    _ => "invalid token",
                };
                if (!ctx.HttpContext.Items.ContainsKey(AuthenticationFailureTracker.ThrottledItem))
                {
                    // A throttled address's failing tokens are counted, not audited one by one (see UseArchiveSecurity).
                    await ApiAudit.AuthenticationFailedAsync(ctx.HttpContext, ArchiveAuthenticationDefaults.BearerScheme, reason).ConfigureAwait(false);
                }
            },
        };
    }

    /// <summary>A PEM public key (RSA or EC) or a base64 symmetric key of at least 32 bytes; null when neither.</summary>
    internal static SecurityKey? TryLoadKey(string text)
    {
        var trimmed = text.Trim();
#pragma warning disable CA2000 // The algorithm object lives as long as the security key that wraps it (the options' lifetime).
        if (trimmed.StartsWith("-----BEGIN", StringComparison.Ordinal))
        {
            try
            {
                var rsa = RSA.Create();
                rsa.ImportFromPem(trimmed);
                return new RsaSecurityKey(rsa);
            }
            catch (ArgumentException)
            {
            }
            catch (CryptographicException)
            {
            }

            try
            {
                var ec = ECDsa.Create();
                ec.ImportFromPem(trimmed);
                return new ECDsaSecurityKey(ec);
            }
            catch (ArgumentException)
            {
                return null;
            }
            catch (CryptographicException)
            {
                return null;
            }
        }
#pragma warning restore CA2000

        try
        {
            var bytes = Convert.FromBase64String(trimmed);
            return bytes.Length >= 32 ? new SymmetricSecurityKey(bytes) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
