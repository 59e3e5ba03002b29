using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Archive.Search.Elastic.Internal;

/// <summary>
/// Server certificate validation with a pinned SHA-256 fingerprint (<see cref="ElasticsearchSearchOptions.CertificateFingerprint"/>).
/// </summary>
/// <remarks>
/// The client's own <c>CertificateFingerprint</c> setting is not used: Elastic.Transport's callback accepts any
/// certificate whose chain holds an element with the fingerprint and ignores the <see cref="SslPolicyErrors"/> it is
/// given (<c>HttpRequestInvoker</c> of Elastic.Transport 1.x), so a certificate issued for another host name, or an
/// expired one, would pass. Here the pin only replaces the trusted root: the host name must match and every
/// certificate of the chain must be within its validity dates.
/// </remarks>
internal static class PinnedCertificate
{
    public static byte[] ParseFingerprint(string fingerprint) => Convert.FromHexString(fingerprint.Replace(":", "", StringComparison.Ordinal));

    /// <summary>
    /// Whether to accept the server's certificate: trusted by the platform (no policy error), or — when the only
    /// errors are chain errors — the certificate with fingerprint <paramref name="pin"/> is the server certificate
    /// itself or the root a valid chain is built to (validity dates at <paramref name="now"/>, no revocation check, as
    /// with the platform's default for HttpClient). A host name mismatch or a missing certificate is never accepted.
    /// </summary>
    public static bool Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, byte[] pin, DateTime now)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var presented = chain?.ChainElements.Select(e => e.Certificate).ToList() ?? [];
        if (Matches(leaf, pin))
        {
            // The server certificate itself is pinned: only its dates are left to check.
            return now >= leaf.NotBefore && now <= leaf.NotAfter;
        }

        var pinned = presented.FirstOrDefault(c => Matches(c, pin));
        if (pinned is null)
        {
            return false;
        }

        using var verify = new X509Chain();
        verify.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        verify.ChainPolicy.CustomTrustStore.Add(pinned);
        foreach (var c in presented.Where(c => !Matches(c, pin)))
        {
            verify.ChainPolicy.ExtraStore.Add(c);
        }

        verify.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        verify.ChainPolicy.VerificationTime = now;
        return verify.Build(leaf);
    }

    private static bool Matches(X509Certificate2 certificate, byte[] pin) => SHA256.HashData(certificate.RawData).AsSpan().SequenceEqual(pin);
}
