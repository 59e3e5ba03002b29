namespace Archive.Api.Security;

/// <summary>Claim types the Archive API reads from the caller's principal.</summary>
public static class ArchiveClaims
{
    /// <summary>Role claim type (<c>role</c>).</summary>
    public const string Role = "role";

    /// <summary>Agency claim type: an agency identifier the caller belongs to (several allowed).</summary>
    public const string Agency = "archive:agency";

    /// <summary>Clearance claim type; the value <see cref="SecretClearance"/> lets the caller see secret (mật) records in scope.</summary>
    public const string Clearance = "archive:clearance";

    /// <summary>The clearance value for secret records.</summary>
    public const string SecretClearance = "secret";

    /// <summary>Claim naming the API key that authenticated the caller.</summary>
    public const string ApiKeyId = "archive:api-key";
}
