using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Archive.Exchange;

/// <summary>
/// Package exchange (<c>Archive:Exchange</c>): where jobs and received packages are kept, the limits of a received
/// package, the server folders a package may be read from, and the seal.
/// </summary>
public sealed class ExchangeOptions : IValidatableObject
{
    /// <summary>
    /// This host's scratch folder, where a package is built before it goes to the object store and a received one is
    /// verified; <c>DataPath/exchange</c> when null. The jobs and their packages are kept in the object store
    /// (<c>exchange/</c>), readable by every host sharing it.
    /// </summary>
    public string? WorkPath { get; set; }

    /// <summary>
    /// With several hosts (<c>Archive:Hosts:Shared</c>): how often a host looks in the store for jobs to take up (a new
    /// one, or one whose host died), how often a running job's progress is written to its record, and how often a running
    /// job checks whether another host asked to cancel it. Default 5 seconds. With one host, jobs are handed to the
    /// worker at once and progress is read from memory.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Server folders a package delivered on a storage device may be read from (<c>sourcePath</c> of a receipt or
    /// accession). Empty (the default): only uploads are accepted. A path reached through a symbolic link below them
    /// (the package's name or a folder above it) is refused.
    /// </summary>
    public IList<string> ImportRoots { get; } = new List<string>();

    /// <summary>Largest package received (default 64 GiB).</summary>
    public long MaxPackageBytes { get; set; } = 64L << 30;

    /// <summary>Largest single file in a received package (default 4 GiB).</summary>
    public long MaxFileBytes { get; set; } = 4L << 30;

    /// <summary>Most entries in a received tar (default 1,000,000).</summary>
    public int MaxEntries { get; set; } = 1_000_000;

    /// <summary>The seal: this archive's signing certificate and its trust list.</summary>
    public SealOptions Seal { get; set; } = new();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxPackageBytes < 1)
        {
            yield return new ValidationResult("Archive:Exchange:MaxPackageBytes must be positive.", [nameof(MaxPackageBytes)]);
        }

        if (MaxFileBytes < 1)
        {
            yield return new ValidationResult("Archive:Exchange:MaxFileBytes must be positive.", [nameof(MaxFileBytes)]);
        }

        if (PollInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Archive:Exchange:PollInterval must be positive.", [nameof(PollInterval)]);
        }

        if (MaxEntries < 1)
        {
            yield return new ValidationResult("Archive:Exchange:MaxEntries must be positive.", [nameof(MaxEntries)]);
        }

        foreach (var root in ImportRoots)
        {
            if (string.IsNullOrWhiteSpace(root) || !Path.IsPathFullyQualified(root))
            {
                yield return new ValidationResult($"Archive:Exchange:ImportRoots: '{root}' must be an absolute folder path.", [nameof(ImportRoots)]);
            }
        }

        if (Seal.CertificatePath is { } pfx && !File.Exists(pfx))
        {
            yield return new ValidationResult($"Archive:Exchange:Seal:CertificatePath: '{pfx}' does not exist.", ["Seal.CertificatePath"]);
        }

        if (Seal.CertificatePath is not null && Seal.StoreThumbprint is not null)
        {
            yield return new ValidationResult("Archive:Exchange:Seal: give CertificatePath or StoreThumbprint, not both.", ["Seal.StoreThumbprint"]);
        }

        foreach (var cert in Seal.TrustedCertificates)
        {
            if (!File.Exists(cert))
            {
                yield return new ValidationResult($"Archive:Exchange:Seal:TrustedCertificates: '{cert}' does not exist.", ["Seal.TrustedCertificates"]);
            }
        }
    }
}

/// <summary>
/// The seal (<c>Archive:Exchange:Seal</c>): the certificate this archive seals its packages with — a PKCS#12 file
/// (<see cref="CertificatePath"/> + <see cref="CertificatePassword"/>, the password from a secret store or environment
/// variable) or the operating system's store (<see cref="StoreThumbprint"/>), never from a request — and the
/// certificates it trusts on packages it receives.
/// </summary>
public sealed class SealOptions
{
    /// <summary>PKCS#12 (.pfx/.p12) file with the signing certificate and its private key.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Password of <see cref="CertificatePath"/>.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Thumbprint of the signing certificate in the OS store (<c>My</c> of <see cref="StoreLocation"/>).</summary>
    public string? StoreThumbprint { get; set; }

    /// <summary>Store location for <see cref="StoreThumbprint"/>: <c>CurrentUser</c> (default) or <c>LocalMachine</c>.</summary>
    public string StoreLocation { get; set; } = "CurrentUser";

    /// <summary>Trust list: certificate files (DER or PEM) of the agencies (or of the CA issuing their seals) whose packages are accepted.</summary>
    public IList<string> TrustedCertificates { get; } = new List<string>();

    /// <summary>Whether an unsealed package is refused; when null, refused exactly when a trust list is configured.</summary>
    public bool? RequireSeal { get; set; }
}

/// <summary>Validates <see cref="ExchangeOptions"/> at start-up.</summary>
[OptionsValidator]
public sealed partial class ExchangeOptionsValidator : IValidateOptions<ExchangeOptions>
{
}
