//! The BLS12-381 arithmetic BBS needs, over `blst`: scalars modulo r, points of G1 and G2,
//! the pairing check, and expand_message_xmd. The only `unsafe` of the crate is here, each
//! call on values this module owns.

use blst::{
    BLST_ERROR, blst_bendian_from_scalar, blst_expand_message_xmd, blst_final_exp, blst_fp12,
    blst_fp12_is_one, blst_fp12_mul, blst_fr, blst_fr_add, blst_fr_from_scalar, blst_fr_inverse,
    blst_fr_mul, blst_fr_sub, blst_miller_loop, blst_p1, blst_p1_add_or_double, blst_p1_affine,
    blst_p1_affine_in_g1, blst_p1_affine_is_inf, blst_p1_cneg, blst_p1_compress,
    blst_p1_from_affine, blst_p1_is_inf, blst_p1_mult, blst_p1_to_affine, blst_p1_uncompress,
    blst_p1s_mult_pippenger, blst_p1s_mult_pippenger_scratch_sizeof, blst_p1s_to_affine, blst_p2,
    blst_p2_affine, blst_p2_affine_generator, blst_p2_affine_in_g2, blst_p2_affine_is_inf,
    blst_p2_cneg, blst_p2_compress, blst_p2_from_affine, blst_p2_mult, blst_p2_to_affine,
    blst_p2_uncompress, blst_scalar, blst_scalar_fr_check, blst_scalar_from_be_bytes,
    blst_scalar_from_bendian, blst_scalar_from_fr,
};
use zeroize::Zeroize;

/// An element of the scalar field (modulo r).
#[derive(Clone, Copy, Default)]
pub struct Scalar(blst_fr);

impl PartialEq for Scalar {
    fn eq(&self, other: &Scalar) -> bool {
        self.to_be_bytes() == other.to_be_bytes()
    }
}

impl Scalar {
    pub fn one() -> Scalar {
        Scalar::from_wide(&[1])
    }

    /// The scalar 32 big-endian bytes write, if below r.
    pub fn from_be_bytes(bytes: &[u8; 32]) -> Option<Scalar> {
        let mut scalar = blst_scalar::default();
        let mut fr = blst_fr::default();
        // SAFETY: both point to owned values of the types blst expects; 32 bytes are read.
        let ok = unsafe {
            blst_scalar_from_bendian(&mut scalar, bytes.as_ptr());
            let ok = blst_scalar_fr_check(&scalar);
            blst_fr_from_scalar(&mut fr, &scalar);
            ok
        };
        scalar.b.zeroize();
        ok.then_some(Scalar(fr))
    }

    /// Big-endian bytes of any length, reduced modulo r (`OS2IP(bytes) mod r`).
    pub fn from_wide(bytes: &[u8]) -> Scalar {
        let mut scalar = blst_scalar::default();
        let mut fr = blst_fr::default();
        // SAFETY: `bytes` is read for its length; the outputs are owned.
        unsafe {
            blst_scalar_from_be_bytes(&mut scalar, bytes.as_ptr(), bytes.len());
            blst_fr_from_scalar(&mut fr, &scalar);
        }
        scalar.b.zeroize();
        Scalar(fr)
    }

    pub fn random() -> Scalar {
        let mut wide: [u8; 48] = rand::random();
        let scalar = Scalar::from_wide(&wide);
        wide.zeroize();
        scalar
    }

    pub fn to_be_bytes(self) -> [u8; 32] {
        let mut out = [0; 32];
        let mut scalar = self.scalar();
        // SAFETY: writes 32 bytes into `out`.
        unsafe { blst_bendian_from_scalar(out.as_mut_ptr(), &scalar) };
        scalar.b.zeroize();
        out
    }

    /// The little-endian form blst multiplies points by.
    fn scalar(&self) -> blst_scalar {
        let mut scalar = blst_scalar::default();
        // SAFETY: owned input and output.
        unsafe { blst_scalar_from_fr(&mut scalar, &self.0) };
        scalar
    }

    pub fn is_zero(&self) -> bool {
        self.to_be_bytes() == [0; 32]
    }

    fn op(
        &self,
        other: &Scalar,
        f: unsafe extern "C" fn(*mut blst_fr, *const blst_fr, *const blst_fr),
    ) -> Scalar {
        let mut out = blst_fr::default();
        // SAFETY: owned inputs and output.
        unsafe { f(&mut out, &self.0, &other.0) };
        Scalar(out)
    }

    pub fn add(&self, other: &Scalar) -> Scalar {
        self.op(other, blst_fr_add)
    }

    pub fn sub(&self, other: &Scalar) -> Scalar {
        self.op(other, blst_fr_sub)
    }

    pub fn mul(&self, other: &Scalar) -> Scalar {
        self.op(other, blst_fr_mul)
    }

    /// The inverse, or `None` for zero.
    pub fn invert(&self) -> Option<Scalar> {
        if self.is_zero() {
            return None;
        }
        let mut out = blst_fr::default();
        // SAFETY: owned input and output.
        unsafe { blst_fr_inverse(&mut out, &self.0) };
        Some(Scalar(out))
    }
}

/// A point of G1.
#[derive(Clone, Copy, Default)]
pub struct G1(blst_p1);

impl G1 {
    /// A compressed point of the subgroup other than the identity, or `None`.
    pub fn decompress(bytes: &[u8]) -> Option<G1> {
        let bytes: &[u8; 48] = bytes.try_into().ok()?;
        let mut affine = blst_p1_affine::default();
        // SAFETY: reads 48 bytes; owned output.
        let read = unsafe { blst_p1_uncompress(&mut affine, bytes.as_ptr()) };
        // SAFETY: owned values.
        let valid = read == BLST_ERROR::BLST_SUCCESS
            && unsafe { !blst_p1_affine_is_inf(&affine) && blst_p1_affine_in_g1(&affine) };
        valid.then(|| {
            let mut point = blst_p1::default();
            // SAFETY: owned values.
            unsafe { blst_p1_from_affine(&mut point, &affine) };
            G1(point)
        })
    }

    /// A point hashed to the curve (RFC 9380, expand_message_xmd with SHA-256).
    pub fn hash(message: &[u8], dst: &[u8]) -> G1 {
        let mut point = blst_p1::default();
        // SAFETY: the slices are read for their lengths; no augmentation.
        unsafe {
            blst::blst_hash_to_g1(
                &mut point,
                message.as_ptr(),
                message.len(),
                dst.as_ptr(),
                dst.len(),
                std::ptr::null(),
                0,
            )
        };
        G1(point)
    }

    pub fn compress(&self) -> [u8; 48] {
        let mut out = [0; 48];
        // SAFETY: writes 48 bytes.
        unsafe { blst_p1_compress(out.as_mut_ptr(), &self.0) };
        out
    }

    pub fn is_identity(&self) -> bool {
        // SAFETY: owned value.
        unsafe { blst_p1_is_inf(&self.0) }
    }

    pub fn add(&self, other: &G1) -> G1 {
        let mut out = blst_p1::default();
        // SAFETY: owned values.
        unsafe { blst_p1_add_or_double(&mut out, &self.0, &other.0) };
        G1(out)
    }

    pub fn neg(&self) -> G1 {
        let mut out = self.0;
        // SAFETY: owned value.
        unsafe { blst_p1_cneg(&mut out, true) };
        G1(out)
    }

    pub fn sub(&self, other: &G1) -> G1 {
        self.add(&other.neg())
    }

    /// The point times a scalar, in constant time.
    pub fn mul(&self, scalar: &Scalar) -> G1 {
        let mut out = blst_p1::default();
        let mut s = scalar.scalar();
        // SAFETY: reads the scalar's 32 bytes (255 bits).
        unsafe { blst_p1_mult(&mut out, &self.0, s.b.as_ptr(), 255) };
        s.b.zeroize();
        G1(out)
    }

    /// `Σ points[i] · scalars[i]` by Pippenger's method: variable time, for public values only.
    pub fn multi_mul(points: &[G1], scalars: &[Scalar]) -> G1 {
        assert_eq!(points.len(), scalars.len());
        if points.is_empty() {
            return G1::default();
        }
        let projective: Vec<blst_p1> = points.iter().map(|p| p.0).collect();
        let mut affine = vec![blst_p1_affine::default(); points.len()];
        let bytes: Vec<u8> = scalars.iter().flat_map(|s| s.scalar().b).collect();
        let mut out = blst_p1::default();
        // SAFETY: `affine` has room for every point; the pointer pairs end in null as blst's
        // batch functions read them (one contiguous array each); the scratch is the size
        // blst asks for, in limbs.
        unsafe {
            let input: [*const blst_p1; 2] = [projective.as_ptr(), std::ptr::null()];
            blst_p1s_to_affine(affine.as_mut_ptr(), input.as_ptr(), points.len());
            let points_ptr: [*const blst_p1_affine; 2] = [affine.as_ptr(), std::ptr::null()];
            let scalars_ptr: [*const u8; 2] = [bytes.as_ptr(), std::ptr::null()];
            let limbs = blst_p1s_mult_pippenger_scratch_sizeof(points.len()) / 8;
            let mut scratch = vec![0u64; limbs.max(1)];
            blst_p1s_mult_pippenger(
                &mut out,
                points_ptr.as_ptr(),
                points.len(),
                scalars_ptr.as_ptr(),
                255,
                scratch.as_mut_ptr(),
            );
        }
        G1(out)
    }

    fn affine(&self) -> blst_p1_affine {
        let mut out = blst_p1_affine::default();
        // SAFETY: owned values.
        unsafe { blst_p1_to_affine(&mut out, &self.0) };
        out
    }
}

/// A point of G2.
#[derive(Clone, Copy)]
pub struct G2(blst_p2);

impl G2 {
    pub fn generator() -> G2 {
        let mut out = blst_p2::default();
        // SAFETY: blst's static generator, copied.
        unsafe { blst_p2_from_affine(&mut out, blst_p2_affine_generator()) };
        G2(out)
    }

    /// A compressed point of the subgroup other than the identity, or `None`.
    pub fn decompress(bytes: &[u8; 96]) -> Option<G2> {
        let mut affine = blst_p2_affine::default();
        // SAFETY: reads 96 bytes; owned values.
        let read = unsafe { blst_p2_uncompress(&mut affine, bytes.as_ptr()) };
        let valid = read == BLST_ERROR::BLST_SUCCESS
            && unsafe { !blst_p2_affine_is_inf(&affine) && blst_p2_affine_in_g2(&affine) };
        valid.then(|| {
            let mut point = blst_p2::default();
            // SAFETY: owned values.
            unsafe { blst_p2_from_affine(&mut point, &affine) };
            G2(point)
        })
    }

    pub fn mul(&self, scalar: &Scalar) -> G2 {
        let mut out = blst_p2::default();
        let mut s = scalar.scalar();
        // SAFETY: reads the scalar's 32 bytes (255 bits).
        unsafe { blst_p2_mult(&mut out, &self.0, s.b.as_ptr(), 255) };
        s.b.zeroize();
        G2(out)
    }

    pub fn neg(&self) -> G2 {
        let mut out = self.0;
        // SAFETY: owned value.
        unsafe { blst_p2_cneg(&mut out, true) };
        G2(out)
    }

    pub fn compress(&self) -> [u8; 96] {
        let mut out = [0; 96];
        // SAFETY: writes 96 bytes.
        unsafe { blst_p2_compress(out.as_mut_ptr(), &self.0) };
        out
    }

    fn affine(&self) -> blst_p2_affine {
        let mut out = blst_p2_affine::default();
        // SAFETY: owned values.
        unsafe { blst_p2_to_affine(&mut out, &self.0) };
        out
    }
}

/// Whether the product of the pairings `e(P, Q)` is the identity of GT.
pub fn pairing_is_one(pairs: &[(&G1, &G2)]) -> bool {
    let mut product: Option<blst_fp12> = None;
    for (p, q) in pairs {
        let (p, q) = (p.affine(), q.affine());
        let mut loop_result = blst_fp12::default();
        // SAFETY: owned values.
        unsafe { blst_miller_loop(&mut loop_result, &q, &p) };
        product = Some(match product {
            None => loop_result,
            Some(acc) => {
                let mut out = blst_fp12::default();
                // SAFETY: owned values.
                unsafe { blst_fp12_mul(&mut out, &acc, &loop_result) };
                out
            }
        });
    }
    let Some(product) = product else {
        return true;
    };
    let mut out = blst_fp12::default();
    // SAFETY: owned values.
    unsafe {
        blst_final_exp(&mut out, &product);
        blst_fp12_is_one(&out)
    }
}

/// expand_message_xmd with SHA-256 (RFC 9380), `N` bytes.
pub fn expand_message_xmd<const N: usize>(message: &[u8], dst: &[u8]) -> [u8; N] {
    let mut out = [0; N];
    // SAFETY: writes N bytes; reads the slices for their lengths.
    unsafe {
        blst_expand_message_xmd(
            out.as_mut_ptr(),
            N,
            message.as_ptr(),
            message.len(),
            dst.as_ptr(),
            dst.len(),
        )
    };
    out
}
