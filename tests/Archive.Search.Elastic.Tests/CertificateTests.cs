using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Archive.Search.Elastic.Internal;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Archive.Search.Elastic.Tests;

/// <summary>
/// A pinned fingerprint replaces only the trusted root: host name and validity dates are still checked (the client
/// library's own fingerprint callback ignores both). Certificates are made here, as a fresh Elasticsearch 9 makes its
/// own: a self-signed HTTP CA and a node certificate it signs.
/// </summary>
public sealed class CertificateTests : IDisposable
{
    private static readonly DateTime Now = DateTime.Now;
    private readonly X509Certificate2 _ca = CreateCa("CN=Elasticsearch security auto-configuration HTTP CA", Now.AddYears(-1), Now.AddYears(3));
    private readonly List<X509Certificate2> _made = [];

    private static X509Certificate2 CreateCa(string name, DateTime from, DateTime to)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(from, to);
    }

    private X509Certificate2 Node(DateTime from, DateTime to, X509Certificate2? issuer = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=es-node-1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("es.test");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        X509Certificate2 cert;
        if (issuer is null)
        {
            cert = request.CreateSelfSigned(from, to);
        }
        else
        {
            using var signed = request.Create(issuer, from, to, RandomNumberGenerator.GetBytes(8));
            cert = signed.CopyWithPrivateKey(key);
        }

        _made.Add(cert);
        return cert;
    }

    /// <summary>The chain the platform builds for a server that sends its CA along, as the TLS handshake hands it to the callback.</summary>
    private static X509Chain PlatformChain(X509Certificate2 leaf, params X509Certificate2[] sent)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ExtraStore.AddRange(sent);
        chain.Build(leaf); // fails (untrusted root), but holds the elements
        return chain;
    }

    private static byte[] Pin(X509Certificate2 certificate) => SHA256.HashData(certificate.RawData);

    [Fact]
    public void A_node_certificate_signed_by_the_pinned_ca_is_accepted()
    {
        var node = Node(Now.AddDays(-1), Now.AddDays(30), _ca);
        using var chain = PlatformChain(node, _ca);
        Assert.Equal(2, chain.ChainElements.Count);
        Assert.True(PinnedCertificate.Validate(node, chain, SslPolicyErrors.RemoteCertificateChainErrors, Pin(_ca), Now));
        Assert.True(PinnedCertificate.Validate(node, chain, SslPolicyErrors.RemoteCertificateChainErrors, PinnedCertificate.ParseFingerprint(Convert.ToHexString(Pin(_ca)).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + ":" + b)), Now));
    }

    [Fact]
    public void Another_ca_is_refused()
    {
        using var other = CreateCa("CN=Another CA", Now.AddDays(-10), Now.AddYears(3));
        var node = Node(Now.AddDays(-1), Now.AddDays(30), _ca);
        using var chain = PlatformChain(node, _ca);
        Assert.False(PinnedCertificate.Validate(node, chain, SslPolicyErrors.RemoteCertificateChainErrors, Pin(other), Now));
    }

    [Fact]
    public void A_certificate_for_another_host_name_is_refused_even_with_the_pinned_ca()
    {
        var node = Node(Now.AddDays(-1), Now.AddDays(30), _ca);
        using var chain = PlatformChain(node, _ca);
        Assert.False(PinnedCertificate.Validate(node, chain, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch, Pin(_ca), Now));
        Assert.False(PinnedCertificate.Validate(node, chain, SslPolicyErrors.RemoteCertificateNameMismatch, Pin(_ca), Now));
    }

    [Fact]
    public void An_expired_or_not_yet_valid_node_certificate_is_refused_even_with_the_pinned_ca()
    {
        var expired = Node(Now.AddDays(-60), Now.AddDays(-1), _ca);
        using var chain = PlatformChain(expired, _ca);
        Assert.False(PinnedCertificate.Validate(expired, chain, SslPolicyErrors.RemoteCertificateChainErrors, Pin(_ca), Now));

        var future = Node(Now.AddDays(5), Now.AddDays(60), _ca);
        using var later = PlatformChain(future, _ca);
        Assert.False(PinnedCertificate.Validate(future, later, SslPolicyErrors.RemoteCertificateChainErrors, Pin(_ca), Now));
    }

    [Fact]
    public void An_expired_pinned_ca_is_refused()
    {
        using var old = CreateCa("CN=Old CA", Now.AddYears(-3), Now.AddDays(-1));
        var node = Node(Now.AddYears(-2), Now.AddDays(-2), old);
        using var chain = PlatformChain(node, old);
        Assert.False(PinnedCertificate.Validate(node, chain, SslPolicyErrors.RemoteCertificateChainErrors, Pin(old), Now));
    }

    [Fact]
    public void A_pinned_self_signed_node_certificate_is_accepted_while_valid()
    {
        var node = Node(Now.AddDays(-1), Now.AddDays(30));
        using var chain = PlatformChain(node);
        Assert.True(PinnedCertificate.Validate(node, chain, SslPolicyErrors.RemoteCertificateChainErrors, Pin(node), Now));

        var expired = Node(Now.AddDays(-60), Now.AddDays(-1));
        using var old = PlatformChain(expired);
        Assert.False(PinnedCertificate.Validate(expired, old, SslPolicyErrors.RemoteCertificateChainErrors, Pin(expired), Now));
    }

    [Fact]
    public void A_certificate_the_platform_trusts_is_accepted_and_a_missing_one_refused()
    {
        var node = Node(Now.AddDays(-1), Now.AddDays(30), _ca);
        using var chain = PlatformChain(node, _ca);
        using var other = CreateCa("CN=Another CA", Now.AddDays(-10), Now.AddYears(3));
        Assert.True(PinnedCertificate.Validate(node, chain, SslPolicyErrors.None, Pin(other), Now));
        Assert.False(PinnedCertificate.Validate(null, null, SslPolicyErrors.RemoteCertificateNotAvailable, Pin(_ca), Now));
    }

    [Fact]
    public void The_created_client_validates_with_this_callback_not_the_transports_fingerprint_check()
    {
        var client = ElasticsearchSearchServiceCollectionExtensions.CreateClient(new ElasticsearchSearchOptions
        {
            Urls = [new Uri("https://es.test:9200")],
            CertificateFingerprint = Convert.ToHexString(Pin(_ca)),
        });
        var settings = client.ElasticsearchClientSettings;
        Assert.Null(settings.CertificateFingerprint);
        var callback = settings.ServerCertificateValidationCallback;
        Assert.NotNull(callback);

        var node = Node(Now.AddDays(-1), Now.AddDays(30), _ca);
        using var chain = PlatformChain(node, _ca);
        Assert.True(callback(this, node, chain, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(callback(this, node, chain, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch));
        var expired = Node(Now.AddDays(-60), Now.AddDays(-1), _ca);
        using var old = PlatformChain(expired, _ca);
        Assert.False(callback(this, expired, old, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    public void Dispose()
    {
        _ca.Dispose();
        _made.ForEach(c => c.Dispose());
    }
}
