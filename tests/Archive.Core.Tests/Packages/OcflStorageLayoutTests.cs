using Archive.Packages;
using Xunit;

namespace Archive.Core.Tests.Packages;

/// <summary>The mapping of extension 0003, checked against the examples of its specification.</summary>
public sealed class OcflStorageLayoutTests
{
    [Theory]
    [InlineData("object-01", "3c0/ff4/240/object-01")]
    [InlineData("..hor/rib:le-$id", "487/326/d8c/%2e%2ehor%2frib%3ale-%24id")]
    [InlineData("..Hor/rib:lè-$id", "373/529/21a/%2e%2eHor%2frib%3al%c3%a8-%24id")]
    public void Spec_examples_map_to_their_paths(string id, string path) => Assert.Equal(path, OcflStorageLayout.ObjectRootPath(id));

    [Fact]
    public void Long_ids_are_truncated_and_suffixed_with_the_digest()
    {
        const string digest26 = "55b432806f4e270da0cf23815ed338742179002153cd8d896f23b3e2d8a14359";
        var id26 = string.Concat(Enumerable.Repeat("abcdefghij", 26));
        Assert.Equal($"55b/432/806/{id26[..100]}-{digest26}", OcflStorageLayout.ObjectRootPath(id26));

        const string digest101 = "5cc73e648fbcff136510e330871180922ddacf193b68fdeff855683a01464220";
        var id101 = string.Concat(Enumerable.Repeat("abcdefghij", 10)) + "a";
        Assert.Equal($"5cc/73e/648/{id101[..100]}-{digest101}", OcflStorageLayout.ObjectRootPath(id101));
        Assert.Null(OcflStorageLayout.TryDecode(OcflStorageLayout.ObjectRootPath(id101).Split('/')[3]));
    }

    [Theory]
    [InlineData("object-01")]
    [InlineData("..Hor/rib:lè-$id")]
    [InlineData("000.00.00.G09.2024.01 Hồ sơ đất đai")]
    [InlineData("urn:uuid:5f0c1f1e-0000-4000-8000-000000000000")]
    public void Short_ids_decode_back(string id)
    {
        var folder = OcflStorageLayout.ObjectRootPath(id).Split('/')[3];
        Assert.Equal(id, OcflStorageLayout.TryDecode(folder));
    }

    [Fact]
    public void Encoding_uses_lower_case_hex_of_utf8()
    {
        Assert.Equal("%e1%bb%93", OcflStorageLayout.Encode("ồ"));
        Assert.Equal("A-z_0", OcflStorageLayout.Encode("A-z_0"));
        Assert.Equal("%f0%9f%93%81", OcflStorageLayout.Encode("📁"));
    }
}
