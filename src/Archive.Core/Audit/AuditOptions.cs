using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Archive.Storage;

namespace Archive.Audit;

/// <summary>
/// Settings of the audit trail (<c>Archive:Audit:*</c>, bound as <see cref="Hosting.ArchiveOptions.Audit"/>), validated
/// when the host starts.
/// </summary>
public sealed class AuditOptions : IValidatableObject
{
    /// <summary>A checkpoint is written after every this many records (default 1000).</summary>
    [Range(1, 10_000_000)]
    public int CheckpointInterval { get; set; } = 1000;

    /// <summary>
    /// How long audit objects are kept write-once on a store whose retention is enforced by the storage system
    /// (<see cref="RetentionEnforcement.Worm"/>, e.g. S3 Object Lock). Default 10 years (3653 days).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "36525.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(3653);

    /// <summary>Retention mode of audit objects on a WORM store (default <see cref="RetentionMode.Compliance"/>: nobody can shorten it).</summary>
    public RetentionMode RetentionMode { get; set; } = RetentionMode.Compliance;

    /// <summary>PKCS#12 (PFX) file with the certificate and private key that sign checkpoints; unsigned checkpoints when empty.</summary>
    public string? SigningCertificatePath { get; set; }

    /// <summary>Password of <see cref="SigningCertificatePath"/> (from configuration or a secret store, never from code).</summary>
    public string? SigningCertificatePassword { get; set; }

    /// <summary>
    /// SHA-256 thumbprints (hex) of further certificates whose checkpoint signatures verify accepts — earlier keys
    /// after a key rotation. The signing certificate is always trusted.
    /// </summary>
    public IList<string> TrustedSignerThumbprints { get; } = new List<string>();

    /// <summary>Whether every committed package version (agency, fonds, record file, schedule, event, plan, decision) is audited. Default true.</summary>
    public bool AuditChanges { get; set; } = true;

    /// <summary>
    /// Age after which an unfinished change intent (a crash between commit and audit append) is reconciled from the
    /// package history (default 2 minutes; commits take far less).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan PendingGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Most problems a verification keeps in its report (default 1000); the count beyond is flagged.</summary>
    [Range(1, 1_000_000)]
    public int MaxReportedProblems { get; set; } = 1000;

    /// <summary>Most stored records one query page may read while filtering (default 10 000); the page then ends with a cursor.</summary>
    [Range(100, 10_000_000)]
    public int MaxScanPerQuery { get; set; } = 10_000;

    /// <summary>Loads the signing certificate (with private key), or null when none is configured.</summary>
    /// <exception cref="ArchiveValidationException">The file cannot be read, the password is wrong or the private key is missing.</exception>
    public X509Certificate2? LoadSigningCertificate()
    {
        if (string.IsNullOrWhiteSpace(SigningCertificatePath))
        {
            return null;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(SigningCertificatePath, SigningCertificatePassword, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArchiveValidationException("Archive:Audit:SigningCertificatePath", "audit.certificate-unreadable", $"The audit signing certificate '{SigningCertificatePath}' cannot be loaded: {ex.Message}");
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new ArchiveValidationException("Archive:Audit:SigningCertificatePath", "audit.private-key-required", $"The audit signing certificate '{SigningCertificatePath}' holds no private key.");
        }

        return certificate;
    }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var results = new List<ValidationResult>();
        if (!string.IsNullOrWhiteSpace(SigningCertificatePath))
        {
            if (!File.Exists(SigningCertificatePath))
            {
                results.Add(new ValidationResult($"Archive:Audit:SigningCertificatePath: the file '{SigningCertificatePath}' does not exist.", [nameof(SigningCertificatePath)]));
            }
            else
            {
                try
                {
                    using var certificate = LoadSigningCertificate();
                }
                catch (ArchiveValidationException ex)
                {
                    results.Add(new ValidationResult(ex.Message, [nameof(SigningCertificatePath)]));
                }
            }
        }

        foreach (var t in TrustedSignerThumbprints)
        {
            if (t is null || t.Length != 64 || !t.All(Uri.IsHexDigit))
            {
                results.Add(new ValidationResult($"Archive:Audit:TrustedSignerThumbprints: '{t}' is not a SHA-256 thumbprint (64 hex digits).", [nameof(TrustedSignerThumbprints)]));
            }
        }

        return results;
    }
}
