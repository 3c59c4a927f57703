using System.Text;
using Microsoft.Extensions.Configuration;
using Grid.RdmaTransport;
using Grid.Replication.DSig;

namespace Grid.DSig.Tests;

/// <summary>
/// Long-term key files and the key directory: bad files fail with the file and node named,
/// nothing is ever overwritten, and a node refuses a private key that is not its listed one.
/// </summary>
public sealed class KeyFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("grid-dsig-keys-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_generated_pair_loads_and_a_reloaded_key_is_the_same_key()
    {
        var (privateKey, publicKey) = Pair("a");
        using var key = DsigKeyFiles.LoadPrivateKey(privateKey);
        Assert.Equal(key.PublicKey, DsigKeyFiles.LoadPublicKey(publicKey));

        var directory = new DsigKeyDirectory();
        directory.Add(new NodeId(1), DsigKeyFiles.LoadPublicKey(publicKey));
        directory.Add(new NodeId(1), DsigKeyFiles.LoadPublicKey(publicKey));   // the same key again: no-op
        Assert.True(directory.TryGet(new NodeId(1), out var loaded));
        Assert.Equal(key.PublicKey, loaded);
    }

    [Fact]
    public void A_second_key_for_a_known_node_is_refused()
    {
        var (_, first) = Pair("a");
        var (_, second) = Pair("b");
        var directory = new DsigKeyDirectory();
        directory.Add(new NodeId(7), DsigKeyFiles.LoadPublicKey(first));

        var error = Assert.Throws<InvalidOperationException>(
            () => directory.Add(new NodeId(7), DsigKeyFiles.LoadPublicKey(second)));
        Assert.Contains("node-7", error.Message);
        Assert.True(directory.TryGet(new NodeId(7), out var kept));
        Assert.Equal(DsigKeyFiles.LoadPublicKey(first), kept);
    }

    [Fact]
    public void Key_files_with_a_byte_order_mark_load()
    {
        var (privateKey, publicKey) = Pair("bom");
        File.WriteAllBytes(privateKey, [.. Encoding.UTF8.GetPreamble(), .. File.ReadAllBytes(privateKey)]);
        File.WriteAllBytes(publicKey, [.. Encoding.UTF8.GetPreamble(), .. File.ReadAllBytes(publicKey)]);

        using var key = DsigKeyFiles.LoadPrivateKey(privateKey);
        Assert.Equal(key.PublicKey, DsigKeyFiles.LoadPublicKey(publicKey));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a key")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")]
    public void Bad_key_files_name_the_file_and_what_to_do(string content)
    {
        var path = Path.Combine(_directory, "bad.pem");
        File.WriteAllText(path, content);

        var error = Assert.Throws<InvalidDataException>(() => DsigKeyFiles.LoadPublicKey(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("grid dsig keygen", error.Message);
        Assert.Throws<InvalidDataException>(() => DsigKeyFiles.LoadPrivateKey(path));
    }

    [Fact]
    public void A_private_key_is_not_a_public_key_file_and_the_reverse()
    {
        var (privateKey, publicKey) = Pair("swap");
        Assert.Throws<InvalidDataException>(() => DsigKeyFiles.LoadPublicKey(privateKey));
        Assert.Throws<InvalidDataException>(() => DsigKeyFiles.LoadPrivateKey(publicKey));
    }

    [Fact]
    public void A_directory_from_files_names_the_node_whose_key_is_bad_or_missing()
    {
        var (_, good) = Pair("good");
        var bad = Path.Combine(_directory, "bad.pub");
        File.WriteAllText(bad, "garbage");
        var missing = Path.Combine(_directory, "missing.pub");

        var error = Assert.Throws<InvalidDataException>(() => DsigKeyDirectory.FromFiles(
            [KeyValuePair.Create(new NodeId(1), good), KeyValuePair.Create(new NodeId(42), bad)]));
        Assert.Contains("node-42", error.Message);
        Assert.Contains(bad, error.Message);

        error = Assert.Throws<InvalidDataException>(() => DsigKeyDirectory.FromFiles(
            [KeyValuePair.Create(new NodeId(43), missing)]));
        Assert.Contains("node-43", error.Message);
        Assert.IsType<FileNotFoundException>(error.InnerException);
    }

    [Fact]
    public void Generate_overwrites_neither_key_and_leaves_no_half_pair()
    {
        var (privateKey, publicKey) = Pair("keep");
        var privateBefore = File.ReadAllBytes(privateKey);
        var publicBefore = File.ReadAllBytes(publicKey);

        // An existing public key blocks a new pair, and the new private key is not left behind.
        var freshPrivate = Path.Combine(_directory, "fresh.key");
        Assert.Throws<IOException>(() => DsigKeyFiles.Generate(freshPrivate, publicKey));
        Assert.False(File.Exists(freshPrivate));
        Assert.Equal(publicBefore, File.ReadAllBytes(publicKey));

        // An existing private key blocks it too, and no public key is written.
        var freshPublic = Path.Combine(_directory, "fresh.pub");
        Assert.Throws<IOException>(() => DsigKeyFiles.Generate(privateKey, freshPublic));
        Assert.False(File.Exists(freshPublic));
        Assert.Equal(privateBefore, File.ReadAllBytes(privateKey));
    }

    [Fact]
    public void A_node_refuses_a_private_key_that_is_not_its_listed_public_key()
    {
        var (privateA, publicA) = Pair("a");
        var (_, publicB) = Pair("b");
        var options = new DsigOptions
        {
            NodeId = 1,
            PrivateKeyFile = privateA,
            SequenceFile = Path.Combine(_directory, "sequence"),
        };
        options.PublicKeyFiles[1] = publicB;
        options.PublicKeyFiles[2] = publicA;
        var transport = new InProcessDsigNetwork().ForSigner(new NodeId(1));

        var error = Assert.Throws<InvalidDataException>(() => new DsigNode(options, transport));
        Assert.Contains(privateA, error.Message);
        Assert.Contains(publicB, error.Message);

        options.PublicKeyFiles[1] = publicA;
        using var node = new DsigNode(options, transport);
        Assert.Equal(new NodeId(1), node.Self);
        node.Dispose();
        node.Dispose();
    }

    [Fact]
    public void Options_bound_from_a_configuration_section_name_the_files_a_node_loads()
    {
        var (privateA, publicA) = Pair("a");
        var (_, publicB) = Pair("b");
        var sequence = Path.Combine(_directory, "a.seq");
        var json = $$"""
            {
              "Grid": {
                "Dsig": {
                  "NodeId": 1,
                  "PrivateKeyFile": {{JsonString(privateA)}},
                  "SequenceFile": {{JsonString(sequence)}},
                  "PublicKeyFiles": { "1": {{JsonString(publicA)}}, "2": {{JsonString(publicB)}} },
                  "Signer": { "PreparedKeysPerGroup": 256 },
                  "Verifier": { "CachedBatchesPerSigner": 8 }
                }
              }
            }
            """;
        var configuration = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)))
            .Build();
        var options = new DsigOptions();
        configuration.GetSection("Grid:Dsig").Bind(options);

        Assert.Equal(1u, options.NodeId);
        Assert.Equal(privateA, options.PrivateKeyFile);
        Assert.Equal(sequence, options.SequenceFile);
        Assert.Equal(publicA, options.PublicKeyFiles[1]);
        Assert.Equal(publicB, options.PublicKeyFiles[2]);
        Assert.Equal(256, options.Signer.PreparedKeysPerGroup);
        Assert.Equal(8, options.Verifier.CachedBatchesPerSigner);

        using var node = new DsigNode(options, new InProcessDsigNetwork().ForSigner(new NodeId(1)));
        var group = node.Group([new NodeId(2)]);
        node.Signer.PrepareNow();
        var signature = node.Sign("bound"u8, group, DsigPurpose.Test);
        Assert.Equal(DsigParameters.SignatureBytes, signature.Length);

        // A section that names no private key is refused with the setting named.
        var empty = new DsigOptions();
        configuration.GetSection("Grid:Missing").Bind(empty);
        var error = Assert.Throws<ArgumentException>(
            () => new DsigNode(empty, new InProcessDsigNetwork().ForSigner(new NodeId(1))));
        Assert.Contains("PrivateKeyFile", error.Message);
    }

    private static string JsonString(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    private (string PrivateKey, string PublicKey) Pair(string name)
    {
        var privateKey = Path.Combine(_directory, name + ".key");
        var publicKey = Path.Combine(_directory, name + ".pub");
        DsigKeyFiles.Generate(privateKey, publicKey);
        return (privateKey, publicKey);
    }
}
