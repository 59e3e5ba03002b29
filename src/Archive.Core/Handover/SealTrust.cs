using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace Archive.Handover;

/// <summary>
/// Whose seal a package must carry: the certificates a receiving archive trusts (a trust list). A signer is trusted
/// when it is one of them, or when its certificate chains to one of them (custom root trust, no system roots, no
/// revocation lookup: the archive decides whom it trusts). Used by handover bags and transfer packages alike.
/// </summary>
public sealed class SealTrust
{
    private readonly X509Certificate2[] _anchors;

    private SealTrust(IEnumerable<X509Certificate2> anchors, bool requireSeal)
    {
        _anchors = [.. anchors];
        RequireSeal = requireSeal;
    }

    /// <summary>No trust list: a seal is checked cryptographically when present and its signer reported, but any signer passes and an unsealed package is accepted.</summary>
    public static SealTrust None { get; } = new([], requireSeal: false);

    /// <summary>Exactly this certificate must have sealed the package.</summary>
    public static SealTrust Pinned(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new([certificate], requireSeal: true);
    }

    /// <summary>A trust list: the package must be sealed by one of <paramref name="anchors"/> or a certificate they issued.</summary>
    /// <param name="anchors">Trusted certificates (agencies' seal certificates or the CA that issues them).</param>
    /// <param name="requireSeal">Whether an unsealed package is refused (default true).</param>
    public static SealTrust FromCertificates(IEnumerable<X509Certificate2> anchors, bool requireSeal = true)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        return new(anchors, requireSeal);
    }

    /// <summary>Whether an unsealed package is refused.</summary>
    public bool RequireSeal { get; }

    /// <summary>The trusted certificates (empty: any valid signature passes).</summary>
    public IReadOnlyList<X509Certificate2> Anchors => _anchors;

    /// <summary>Null when <paramref name="signer"/> is trusted; otherwise why not.</summary>
    public string? WhyNotTrusted(X509Certificate2 signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        if (_anchors.Length == 0 || _anchors.Any(a => a.RawData.AsSpan().SequenceEqual(signer.RawData)))
        {
            return null;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(_anchors);
        chain.ChainPolicy.ExtraStore.AddRange(_anchors);
        if (chain.Build(signer))
        {
            return null;
        }

        var status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
        return $"Sealed by '{signer.Subject}', which is not on the trust list" + (status.Length > 0 ? " (" + status + ")." : ".");
    }

    /// <summary>
    /// Checks a detached CMS seal over <paramref name="content"/>: the signature itself (which fails when one byte of
    /// the content changed), exactly one signer with its certificate, and that signer against this trust list.
    /// </summary>
    /// <returns>The signer's subject, or the problem.</returns>
    internal (string? Signer, string? Problem) CheckDetached(byte[] content, byte[] seal)
    {
        try
        {
            var cms = new SignedCms(new ContentInfo(content), detached: true);
            cms.Decode(seal);
            cms.CheckSignature(verifySignatureOnly: true);
            if (cms.SignerInfos.Count != 1 || cms.SignerInfos[0].Certificate is not { } signer)
            {
                return (null, "The seal must carry exactly one signer with its certificate.");
            }

            return WhyNotTrusted(signer) is { } why ? (null, why) : (signer.Subject, null);
        }
        catch (CryptographicException ex)
        {
            return (null, "The seal does not verify: " + ex.Message);
        }
    }

    /// <summary>
    /// Checks an attached CMS seal (one that carries its content, e.g. the checksum line of a package): signature,
    /// exactly one signer with its certificate, the signer against this trust list.
    /// </summary>
    /// <returns>The signed content and the signer's subject, or the problem.</returns>
    public (byte[]? Content, string? Signer, string? Problem) CheckAttached(byte[] seal)
    {
        ArgumentNullException.ThrowIfNull(seal);
        try
        {
            var cms = new SignedCms();
            cms.Decode(seal);
            cms.CheckSignature(verifySignatureOnly: true);
            if (cms.Detached || cms.SignerInfos.Count != 1 || cms.SignerInfos[0].Certificate is not { } signer)
            {
                return (null, null, "The seal must carry its content and exactly one signer with its certificate.");
            }

            return WhyNotTrusted(signer) is { } why ? (null, null, why) : (cms.ContentInfo.Content, signer.Subject, null);
        }
        catch (CryptographicException ex)
        {
            return (null, null, "The seal does not verify: " + ex.Message);
        }
    }

    /// <summary>Signs <paramref name="content"/> with <paramref name="certificate"/> into an attached CMS SignedData (SHA-256, signing time).</summary>
    internal static byte[] SignAttached(byte[] content, X509Certificate2 certificate) => Sign(content, certificate, detached: false);

    /// <summary>Signs <paramref name="content"/> with <paramref name="certificate"/> (which must hold its private key): a detached CMS SignedData, SHA-256, signing time.</summary>
    internal static byte[] SignDetached(byte[] content, X509Certificate2 certificate) => Sign(content, certificate, detached: true);

    private static byte[] Sign(byte[] content, X509Certificate2 certificate, bool detached)
    {
        if (!certificate.HasPrivateKey)
        {
            throw new ArchiveValidationException("certificate", "seal.private-key-required", "Sealing needs the agency's certificate with its private key.");
        }

        var cms = new SignedCms(new ContentInfo(content), detached);
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, certificate)
        {
            IncludeOption = X509IncludeOption.EndCertOnly,
            DigestAlgorithm = new Oid("2.16.840.1.101.3.4.2.1"),
        };
        signer.SignedAttributes.Add(new Pkcs9SigningTime(DateTime.UtcNow));
        cms.ComputeSignature(signer, silent: true);
        return cms.Encode();
    }
}

/// <summary>What an export would package, resolved before it starts.</summary>
/// <param name="FondsCode">The fonds (null when a transfer spans several).</param>
/// <param name="FromAgencyId">The handing or submitting agency.</param>
/// <param name="ToAgencyId">The receiving agency or Historical Archives.</param>
/// <param name="FileCodes">The record files.</param>
/// <param name="HighestAccessLevel">The most restricted access level among them: who may download the whole package.</param>
public sealed record PackageScope(string? FondsCode, string FromAgencyId, string ToAgencyId, IReadOnlyList<string> FileCodes, AccessLevel HighestAccessLevel);
