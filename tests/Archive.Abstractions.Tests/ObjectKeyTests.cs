using Archive.Storage;
using Xunit;

namespace Archive.Abstractions.Tests;

public class ObjectKeyTests
{
    [Theory]
    [InlineData("a", "a")]
    [InlineData("packages/000.00.00.G09.2010.01.TH/v1/content/hồ sơ.pdf", "packages/000.00.00.G09.2010.01.TH/v1/content/hồ sơ.pdf")]
    [InlineData("a/.hidden/b", "a/.hidden/b")]
    [InlineData("a/..b/c", "a/..b/c")]
    public void Valid_keys_are_accepted(string key, string expected) => Assert.Equal(expected, ObjectKey.Normalize(key));

    [Fact]
    public void Decomposed_vietnamese_is_normalised_to_nfc()
    {
        var decomposed = "Ho\u0302\u0300 so\u031b".Normalize(System.Text.NormalizationForm.FormD);
        var composed = "Hồ sơ";
        Assert.NotEqual(composed, decomposed);
        Assert.Equal(composed, ObjectKey.Normalize(decomposed));
    }

    [Theory]
    [InlineData("", "key.empty")]
    [InlineData("/etc/passwd", "key.absolute")]
    [InlineData("C:/x", "key.absolute")]
    [InlineData("a/../b", "key.dot-segment")]
    [InlineData("..", "key.dot-segment")]
    [InlineData("a/./b", "key.dot-segment")]
    [InlineData("a//b", "key.empty-segment")]
    [InlineData("a/", "key.trailing-slash")]
    [InlineData("a\\b", "key.backslash")]
    [InlineData("a\u0000b", "key.control-character")]
    [InlineData("a\nb", "key.control-character")]
    [InlineData("a\u202Eb", "key.control-character")]
    public void Invalid_keys_name_the_rule(string key, string rule)
    {
        var ex = Assert.Throws<ArchiveValidationException>(() => ObjectKey.Normalize(key));
        var error = Assert.Single(ex.Errors);
        Assert.Equal("key", error.Field);
        Assert.Equal(rule, error.Rule);
    }

    [Fact]
    public void Lone_surrogates_are_rejected()
    {
        var key = "a" + (char)0xD800 + "b";
        Assert.Equal("key.invalid-unicode", Assert.Throws<ArchiveValidationException>(() => ObjectKey.Normalize(key)).Errors[0].Rule);
    }

    [Fact]
    public void Length_limits_are_in_utf8_bytes()
    {
        var segment = new string('ệ', 85); // 3 bytes each = 255 bytes
        Assert.Equal(segment, ObjectKey.Normalize(segment));
        var ex = Assert.Throws<ArchiveValidationException>(() => ObjectKey.Normalize(segment + "ệ"));
        Assert.Equal("key.segment-too-long", ex.Errors[0].Rule);
        var longKey = string.Join('/', Enumerable.Repeat(new string('a', 200), 6));
        Assert.Equal("key.too-long", Assert.Throws<ArchiveValidationException>(() => ObjectKey.Normalize(longKey)).Errors[0].Rule);
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("packages/", "packages/")]
    [InlineData("packages/ab", "packages/ab")]
    public void Prefixes_may_be_empty_or_end_with_slash(string? prefix, string expected) => Assert.Equal(expected, ObjectKey.NormalizePrefix(prefix));

    [Theory]
    [InlineData("/")]
    [InlineData("../")]
    [InlineData("/a")]
    public void Bad_prefixes_are_rejected(string prefix) => Assert.Throws<ArchiveValidationException>(() => ObjectKey.NormalizePrefix(prefix));
}

public class ByteRangeTests
{
    [Theory]
    [InlineData(0, null, 10, 0, 10)]
    [InlineData(3, 4L, 10, 3, 4)]
    [InlineData(8, 100L, 10, 8, 2)]
    [InlineData(0, null, 0, 0, 0)]
    public void Resolves_against_length(long offset, long? length, long objectLength, long eo, long el)
        => Assert.Equal(new ByteRange(eo, el), new ByteRange(offset, length).Resolve(objectLength));

    [Theory]
    [InlineData(-1, null, 10, "range.offset-negative")]
    [InlineData(0, -1L, 10, "range.length-negative")]
    [InlineData(10, null, 10, "range.not-satisfiable")]
    [InlineData(11, null, 10, "range.not-satisfiable")]
    public void Rejects_unsatisfiable(long offset, long? length, long objectLength, string rule)
        => Assert.Equal(rule, Assert.Throws<ArchiveValidationException>(() => new ByteRange(offset, length).Resolve(objectLength)).Errors[0].Rule);
}
