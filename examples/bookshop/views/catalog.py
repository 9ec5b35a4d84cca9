import streamlit as st

from keys import CART, K
from state import remember

BOOKS = {"Dune": 12.5, "Emma": 8.0, "Ulysses": 15.0}


def add_to_cart():
    st.session_state[CART].append(title)  # ST010: `title` is last run's selection


st.title("📚 Catalogue")
query = st.text_input("Search", key=K.QUERY)
st.session_state[K.QUERY] = query.strip()  # ST003: the widget already exists

st.session_state.genre = "novel"
st.radio("Genre", ["novel", "essay"], index=1, key=K.GENRE)  # ST004: index= and state

title = st.selectbox("Book", list(BOOKS), key="book")
st.button("Add to cart", key="add", on_click=add_to_cart)
remember(title)

if st.session_state.show_prices:  # ST001: nothing initialises "show_prices"
    st.write({book: price for book, price in BOOKS.items()})

left, right = st.columns(2)
left.number_input("Quantity", 1, 10, key="quantity")
right.number_input("Gift quantity", 0, 10, key="quantity")  # ST006: key used twice
