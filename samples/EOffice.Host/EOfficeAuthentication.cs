using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Archive.Api.Security;
using Archive.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace EOffice.Host;

/// <summary>The e-office's authentication scheme and claim types (its own, nothing to do with Archive).</summary>
public static class EOfficeAuthentication
{
    /// <summary>Scheme name; requests send <c>Authorization: EOffice &lt;session token&gt;</c>.</summary>
    public const string Scheme = "EOffice";

    /// <summary>The user's position in the e-office (chức danh): <c>van-thu</c>, <c>luu-tru</c>, <c>lanh-dao</c>, <c>quan-tri</c>.</summary>
    public const string PositionClaim = "eoffice:position";

    /// <summary>The user's unit (đơn vị) in the e-office.</summary>
    public const string UnitClaim = "eoffice:unit";
}

/// <summary>The e-office's users (section <c>EOffice</c> of the configuration; tokens from secrets, never from files in the repository).</summary>
public sealed class EOfficeAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>Users with their session tokens.</summary>
    public List<EOfficeUser> Users { get; set; } = [];

    /// <summary>The Archive agency identifier (mã định danh) of each e-office unit.</summary>
    public Dictionary<string, string> UnitAgencies { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>An e-office user.</summary>
public sealed class EOfficeUser
{
    /// <summary>Login name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Session token.</summary>
    public string Token { get; set; } = string.Empty;

    /// <summary>Position (chức danh), see <see cref="EOfficeAuthentication.PositionClaim"/>.</summary>
    public string Position { get; set; } = string.Empty;

    /// <summary>Unit (đơn vị).</summary>
    public string? Unit { get; set; }

    /// <summary>Whether the user may read secret (mật) documents.</summary>
    public bool SecretClearance { get; set; }
}

/// <summary>Authenticates <c>Authorization: EOffice &lt;token&gt;</c> against the configured users: the e-office's own principal.</summary>
public sealed class EOfficeAuthenticationHandler(IOptionsMonitor<EOfficeAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<EOfficeAuthenticationOptions>(options, logger, encoder)
{
    private const string Prefix = EOfficeAuthentication.Scheme + " ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[Prefix.Length..].Trim()));
        var user = Options.Users.FirstOrDefault(u => u.Token.Length > 0
            && CryptographicOperations.FixedTimeEquals(presented, SHA256.HashData(Encoding.UTF8.GetBytes(u.Token))));
        if (user is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("Unknown e-office session."));
        }

        List<Claim> claims = [new(ClaimTypes.Name, user.Name), new(EOfficeAuthentication.PositionClaim, user.Position)];
        if (user.Unit is not null)
        {
            claims.Add(new Claim(EOfficeAuthentication.UnitClaim, user.Unit));
            if (Options.UnitAgencies.TryGetValue(user.Unit, out var agency))
            {
                claims.Add(new Claim(ArchiveClaimsMapping.UnitAgencyClaim, agency));
            }
        }

        if (user.SecretClearance)
        {
            claims.Add(new Claim(ArchiveClaimsMapping.SecretClearanceClaim, "true"));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
    }
}

/// <summary>
/// Maps the e-office's principal onto what Archive reads (<see cref="ArchiveClaims"/>, <see cref="ArchiveRoles"/>):
/// the position gives the role, the unit the agency whose records the user works on, the clearance flag the secret
/// clearance. A user whose position has no Archive role gets none (and only what the policies allow without one).
/// </summary>
public sealed class ArchiveClaimsMapping : IClaimsTransformation
{
    /// <summary>The Archive agency of the user's unit (set by the handler from <see cref="EOfficeAuthenticationOptions.UnitAgencies"/>).</summary>
    public const string UnitAgencyClaim = "eoffice:unit-agency";

    /// <summary>The user's clearance flag.</summary>
    public const string SecretClearanceClaim = "eoffice:secret-clearance";

    private const string IdentityType = "archive";

    private static readonly Dictionary<string, string> RoleOfPosition = new(StringComparer.Ordinal)
    {
        ["van-thu"] = ArchiveRoles.Clerk,          // văn thư
        ["luu-tru"] = ArchiveRoles.Archivist,      // lưu trữ viên
        ["lanh-dao"] = ArchiveRoles.AgencyHead,    // lãnh đạo đơn vị
        ["quan-tri"] = ArchiveRoles.Administrator, // quản trị hệ thống
    };

    public Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.Identity?.IsAuthenticated != true || principal.Identities.Any(i => i.AuthenticationType == IdentityType))
        {
            return Task.FromResult(principal); // anonymous, or already mapped (the transformation may run more than once)
        }

        var archive = new ClaimsIdentity(IdentityType);
        if (principal.FindFirst(EOfficeAuthentication.PositionClaim)?.Value is { } position && RoleOfPosition.TryGetValue(position, out var role))
        {
            archive.AddClaim(new Claim(ArchiveClaims.Role, role));
        }

        if (principal.FindFirst(UnitAgencyClaim)?.Value is { } agency)
        {
            archive.AddClaim(new Claim(ArchiveClaims.Agency, agency));
        }

        if (principal.HasClaim(SecretClearanceClaim, "true"))
        {
            archive.AddClaim(new Claim(ArchiveClaims.Clearance, ArchiveClaims.SecretClearance));
        }

        var mapped = principal.Clone();
        mapped.AddIdentity(archive);
        return Task.FromResult(mapped);
    }
}
