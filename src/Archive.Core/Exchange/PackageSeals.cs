using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Archive.Handover;
using Microsoft.Extensions.Options;

namespace Archive.Exchange;

/// <summary>
/// The seal of this archive, from configuration only (<see cref="SealOptions"/>): the signing certificate (PKCS#12
/// file or OS store) and the trust list applied to packages received. Loaded once, on first use.
/// </summary>
public sealed class PackageSeals : IDisposable
{
    private readonly SealOptions _options;
    private readonly Lazy<X509Certificate2?> _signing;
    private readonly Lazy<SealTrust> _trust;

    /// <summary>Creates the seals from <see cref="ExchangeOptions.Seal"/>.</summary>
    public PackageSeals(IOptions<ExchangeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value.Seal;
        _signing = new(LoadSigning);
        _trust = new(LoadTrust);
    }

    /// <summary>The signing certificate with its private key; null when none is configured (packages are then unsealed, and every answer says so).</summary>
    public X509Certificate2? SigningCertificate => _signing.Value;

    /// <summary>The trust list for packages received.</summary>
    public SealTrust Trust => _trust.Value;

    /// <summary>What an export's answer says about its seal.</summary>
    public string SealNote => SigningCertificate is { } c
        ? $"Sealed with '{c.Subject}' (SHA-1 thumbprint {c.Thumbprint})."
        : "Unsealed: no seal certificate is configured (Archive:Exchange:Seal:CertificatePath or StoreThumbprint).";

    /// <summary>
    /// What a verification report says about a received package's seal: who sealed it and whether the signer was
    /// checked against the trust list, or that the seal is missing, broken or untrusted, or that there is none.
    /// </summary>
    /// <param name="signer">Subject of the certificate whose valid seal the package carries; null when none.</param>
    /// <param name="problems">The verification's problems (a <see cref="BagProblemKind.Signature"/> problem means the seal failed).</param>
    public string VerificationNote(string? signer, IReadOnlyList<BagProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        return signer is not null
            ? Trust.Anchors.Count > 0 ? $"Sealed by '{signer}', on the trust list." : $"Sealed by '{signer}'; no trust list is configured (Archive:Exchange:Seal:TrustedCertificates), so the signer was not checked against one."
            : problems.Any(p => p.Kind == BagProblemKind.Signature) ? "The seal is missing, broken or not trusted (see the problems)." : "Unsealed: the package carries no seal.";
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_signing.IsValueCreated)
        {
            _signing.Value?.Dispose();
        }
    }

    private X509Certificate2? LoadSigning()
    {
        X509Certificate2? cert = null;
        if (_options.CertificatePath is { } path)
        {
            try
            {
                cert = X509CertificateLoader.LoadPkcs12FromFile(path, _options.CertificatePassword, X509KeyStorageFlags.EphemeralKeySet);
            }
            catch (CryptographicException ex)
            {
                throw new ArchiveException($"The seal certificate '{path}' (Archive:Exchange:Seal:CertificatePath) cannot be opened: {ex.Message} Check CertificatePassword.", ex);
            }
        }
        else if (_options.StoreThumbprint is { } thumbprint)
        {
            var location = Enum.TryParse<StoreLocation>(_options.StoreLocation, ignoreCase: true, out var l) ? l : StoreLocation.CurrentUser;
            using var store = new X509Store(StoreName.My, location);
            store.Open(OpenFlags.ReadOnly);
            var found = store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint.Replace(" ", string.Empty, StringComparison.Ordinal), validOnly: false);
            cert = found.Count > 0 ? found[0] : throw new ArchiveException($"No certificate with thumbprint {thumbprint} in the {location}/My store (Archive:Exchange:Seal:StoreThumbprint).");
        }

        if (cert is not null && !cert.HasPrivateKey)
        {
            throw new ArchiveException($"The seal certificate '{cert.Subject}' has no private key: configure the PKCS#12 file or store entry that holds it.");
        }

        return cert;
    }

    private SealTrust LoadTrust()
    {
        var anchors = new List<X509Certificate2>();
        foreach (var path in _options.TrustedCertificates)
        {
            try
            {
                anchors.Add(File.ReadAllText(path).Contains("-----BEGIN", StringComparison.Ordinal)
                    ? X509Certificate2.CreateFromPem(File.ReadAllText(path))
                    : X509CertificateLoader.LoadCertificateFromFile(path));
            }
            catch (CryptographicException ex)
            {
                throw new ArchiveException($"The trusted certificate '{path}' (Archive:Exchange:Seal:TrustedCertificates) cannot be read: {ex.Message}", ex);
            }
        }

        var require = _options.RequireSeal ?? anchors.Count > 0;
        return anchors.Count == 0 && !require ? SealTrust.None : SealTrust.FromCertificates(anchors, require);
    }
}
