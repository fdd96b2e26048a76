//! Bitmap commands against the real servers.

use redis_core::Pipeline;
use redis_core::commands::*;
use redis_tests::{Ctx, each_redis8, each_setup};

each_setup!(
    setbit_getbit_and_bitcount_read_single_bits_and_ranges,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("bits");
        assert!(!client.setbit(&key, 7, true).await.unwrap());
        assert!(client.setbit(&key, 7, true).await.unwrap());
        assert!(client.getbit(&key, 7).await.unwrap());
        assert!(!client.getbit(&key, 6).await.unwrap());
        assert!(!client.getbit(&key, 10_000).await.unwrap());
        assert_eq!(client.get::<Vec<u8>>(&key).await.unwrap(), [0x01]);

        client.set(&key, &[0xffu8, 0xf0, 0x00][..]).await.unwrap();
        assert_eq!(client.bitcount(&key).await.unwrap(), 12);
        assert_eq!(client.bitcount(ctx.key("missing")).await.unwrap(), 0);
        let count = |range| client.bitcount_range(&key, range);
        assert_eq!(count(BitRange::bytes(1, 1)).await.unwrap(), 4);
        assert_eq!(count(BitRange::bytes(-2, -1)).await.unwrap(), 4);
        assert_eq!(count(BitRange::bits(5, 10)).await.unwrap(), 6);
    }
);

each_setup!(
    bitpos_finds_the_first_bit_or_reports_none,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("bits");
        client.set(&key, &[0xffu8, 0xf0, 0x00][..]).await.unwrap();
        assert_eq!(
            client.bitpos(&key, false).await.unwrap(),
            BitPosition::At(12)
        );
        assert_eq!(client.bitpos(&key, true).await.unwrap().offset(), Some(0));
        assert_eq!(
            client.bitpos_from(&key, true, 2).await.unwrap(),
            BitPosition::NotFound
        );
        assert_eq!(
            client.bitpos_from(&key, true, -2).await.unwrap(),
            BitPosition::At(8)
        );
        assert_eq!(
            client
                .bitpos_range(&key, false, BitRange::bytes(0, 0))
                .await
                .unwrap(),
            BitPosition::NotFound
        );
        assert_eq!(
            client
                .bitpos_range(&key, false, BitRange::bits(0, 7))
                .await
                .unwrap()
                .offset(),
            None
        );
        assert_eq!(
            client
                .bitpos_range(&key, false, BitRange::bits(8, 15))
                .await
                .unwrap(),
            BitPosition::At(12)
        );

        // All ones: without an end the first clear bit is just past the
        // string; within a range there is none.
        let ones = ctx.key("ones");
        client.set(&ones, &[0xffu8, 0xff][..]).await.unwrap();
        assert_eq!(
            client.bitpos(&ones, false).await.unwrap(),
            BitPosition::At(16)
        );
        assert_eq!(
            client
                .bitpos_range(&ones, false, BitRange::bytes(0, -1))
                .await
                .unwrap(),
            BitPosition::NotFound
        );
        let missing = ctx.key("missing");
        assert_eq!(
            client.bitpos(&missing, true).await.unwrap(),
            BitPosition::NotFound
        );
        assert_eq!(
            client.bitpos(&missing, false).await.unwrap(),
            BitPosition::At(0)
        );
    }
);

each_setup!(bitop_combines_strings_bit_by_bit, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let (x, y, dest) = (ctx.key("x"), ctx.key("y"), ctx.key("dest"));
    client.set(&x, &[0x0fu8, 0xff][..]).await.unwrap();
    client.set(&y, &[0x3cu8][..]).await.unwrap();
    let result = |op| {
        let client = &client;
        let (x, y, dest) = (&x, &y, &dest);
        async move {
            let len = client.bitop(op, dest, [x, y]).await.unwrap();
            (len, client.get::<Vec<u8>>(dest).await.unwrap())
        }
    };
    // The shorter string counts as padded with zero bytes.
    assert_eq!(result(BitOp::And).await, (2, vec![0x0c, 0x00]));
    assert_eq!(result(BitOp::Or).await, (2, vec![0x3f, 0xff]));
    assert_eq!(result(BitOp::Xor).await, (2, vec![0x33, 0xff]));
    assert_eq!(client.bitop_not(&dest, &y).await.unwrap(), 1);
    assert_eq!(client.get::<Vec<u8>>(&dest).await.unwrap(), [0xc3]);
});

each_redis8!(
    bitop_diff_andor_and_one_follow_their_definitions,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (x, y, z, dest) = (ctx.key("x"), ctx.key("y"), ctx.key("z"), ctx.key("d"));
        client.set(&x, &[0x0fu8][..]).await.unwrap();
        client.set(&y, &[0x3cu8][..]).await.unwrap();
        client.set(&z, &[0xf0u8][..]).await.unwrap();
        for (op, expected) in [
            (BitOp::Diff, 0x03u8), // in x, in neither y nor z
            (BitOp::Diff1, 0xf0),  // in y or z, not in x
            (BitOp::AndOr, 0x0c),  // in x and in y or z
            (BitOp::One, 0xc3),    // in exactly one
        ] {
            assert_eq!(client.bitop(op, &dest, [&x, &y, &z]).await.unwrap(), 1);
            assert_eq!(
                client.get::<Vec<u8>>(&dest).await.unwrap(),
                [expected],
                "{op:?}"
            );
        }
    }
);

each_setup!(
    bitfield_reads_writes_and_counts_with_overflow_rules,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("fields");
        let first = BitOffset::Field(0);
        let ops = BitField::new()
            .set(BitFieldType::U8, first, 200)
            .get(BitFieldType::U8, first)
            .incrby(BitFieldType::U8, first, 100)
            .overflow(BitFieldOverflow::Sat)
            .incrby(BitFieldType::U8, first, 300)
            .overflow(BitFieldOverflow::Fail)
            .incrby(BitFieldType::U8, first, 1)
            .get(BitFieldType::I8, BitOffset::Bit(0));
        assert_eq!(
            client.bitfield(&key, ops).await.unwrap(),
            [Some(0), Some(200), Some(44), Some(255), None, Some(-1)]
        );

        // `#1` of a u8 is bit 8; odd widths and signed values round-trip.
        let i5 = BitFieldType::signed(5).unwrap();
        let u63 = BitFieldType::unsigned(63).unwrap();
        let ops = BitField::new()
            .set(BitFieldType::U8, BitOffset::Field(1), 7)
            .set(i5, BitOffset::Bit(100), -9)
            .overflow(BitFieldOverflow::Wrap)
            .incrby(i5, BitOffset::Bit(100), 30)
            .set(u63, BitOffset::Bit(200), i64::MAX);
        assert_eq!(
            client.bitfield(&key, ops).await.unwrap(),
            [Some(0), Some(0), Some(-11), Some(0)]
        );
        let read = client
            .bitfield_ro(
                &key,
                [
                    (BitFieldType::U8, BitOffset::Bit(8)),
                    (i5, BitOffset::Bit(100)),
                    (u63, BitOffset::Bit(200)),
                    (BitFieldType::U16, BitOffset::Bit(0)),
                ],
            )
            .await
            .unwrap();
        assert_eq!(read, [7, -11, i64::MAX, 0xff07]);
        assert_eq!(
            client.bitfield(&key, BitField::new()).await.unwrap(),
            Vec::<Option<i64>>::new()
        );
    }
);

#[test]
fn bitfield_types_exist_only_for_widths_redis_accepts() {
    assert_eq!(BitFieldType::signed(64), Some(BitFieldType::I64));
    assert_eq!(BitFieldType::unsigned(8), Some(BitFieldType::U8));
    assert_eq!(BitFieldType::unsigned(64), None);
    assert_eq!(BitFieldType::signed(65), None);
    assert_eq!(BitFieldType::signed(0), None);
    let i5 = BitFieldType::signed(5).unwrap();
    assert_eq!((i5.bits(), i5.is_signed()), (5, true));
    let args = |field| {
        let cmd = redis_core::commands::bitfield_ro("k", [(field, BitOffset::Field(3))]).into_cmd();
        cmd.args().map(<[u8]>::to_vec).collect::<Vec<_>>()
    };
    assert_eq!(
        args(i5)[2..],
        [b"GET".to_vec(), b"i5".to_vec(), b"#3".to_vec()]
    );
}

each_setup!(
    bitmap_commands_chain_in_a_typed_pipeline,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (a, b) = (ctx.key("a"), ctx.key("b"));
        let (old, count, pos, len, fields): (bool, u64, BitPosition, u64, Vec<Option<i64>>) =
            Pipeline::new()
                .setbit(&a, 3, true)
                .bitcount(&a)
                .bitpos(&a, true)
                .bitop(BitOp::Or, &b, [&a])
                .bitfield(&b, BitField::new().get(BitFieldType::U8, BitOffset::Bit(0)))
                .query(&client)
                .await
                .unwrap();
        assert_eq!((old, count, pos, len), (false, 1, BitPosition::At(3), 1));
        assert_eq!(fields, [Some(0x10)]);
    }
);
